// graphql-js, the reference implementation, judging our endpoint's schema and documents.
//   node graphql/conformance.mjs introspection-query          prints graphql-js's introspection query
//   node graphql/conformance.mjs schema <introspection.json>   buildClientSchema + assertValidSchema; prints the SDL
//   node graphql/conformance.mjs verdicts <introspection.json> <corpus.json>
//                                                              prints {name: "valid" | "invalid"} per document
import { readFileSync } from 'node:fs';
import { assertValidSchema, buildClientSchema, getIntrospectionQuery, parse, printSchema, validate } from 'graphql';

const [command, ...args] = process.argv.slice(2);

function schemaFrom(file) {
  const result = JSON.parse(readFileSync(file, 'utf8'));
  const schema = buildClientSchema(result.data ?? result);
  assertValidSchema(schema);
  return schema;
}

if (command === 'introspection-query') {
  // specifiedByURL (October 2021) is not answered by GraphQL.NET 8.8.5's __Type, so the query leaves it out.
  process.stdout.write(getIntrospectionQuery({ descriptions: true, specifiedByUrl: false, directiveIsRepeatable: true, schemaDescription: true }));
} else if (command === 'schema') {
  process.stdout.write(printSchema(schemaFrom(args[0])));
} else if (command === 'verdicts') {
  const schema = schemaFrom(args[0]);
  const corpus = JSON.parse(readFileSync(args[1], 'utf8'));
  const verdicts = {};
  for (const { name, document } of corpus) {
    let errors;
    try {
      errors = validate(schema, parse(document));
    } catch (e) {
      errors = [e];
    }
    verdicts[name] = errors.length === 0 ? 'valid' : 'invalid';
  }
  process.stdout.write(JSON.stringify(verdicts));
} else {
  console.error('usage: conformance.mjs introspection-query | schema <file> | verdicts <file> <corpus>');
  process.exit(2);
}
