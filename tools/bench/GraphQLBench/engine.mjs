// graphql-js (npm graphql, from tests/interop) executing the engine bench's query over the same in-memory data as
// GraphQL.NET does in EngineBench.cs: the schema from engine.graphql, the root resolver slicing the list, every other
// field graphql-js's default resolver (a property read), as GraphQL.NET's Field(x => x.Name) is.
// Driven over stdin by the bench, one command a line:
//   result          prints the execution result as JSON (the bench compares it with GraphQL.NET's)
//   run <ms>        parses, validates, executes and serialises the query again and again for <ms> milliseconds, one at
//                   a time, and prints {"count": n, "cpuMicros": c} (c: this process's user+system CPU over the run)
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const here = new URL('.', import.meta.url);
const interop = process.argv[2];
if (!interop) {
  console.error('usage: node engine.mjs <tests/interop directory>');
  process.exit(2);
}
const { buildSchema, graphql } = createRequire(`${interop}/package.json`)('graphql');

const schema = buildSchema(readFileSync(new URL('engine.graphql', here), 'utf8'));
const source = readFileSync(new URL('engine-query.graphql', here), 'utf8');
const variableValues = { first: 50 };

const categories = ['monitoring', 'communication', 'therapy', 'safety'];
const designs = ['cohort', 'rct', 'case-series'];
const technologies = Array.from({ length: 100 }, (_, i) => ({
  id: `t${i}`,
  name: `Technology ${i}`,
  supplier: `Supplier ${i % 7}`,
  category: categories[i % 4],
  approved: i % 3 !== 0,
  riskScore: (i % 10) / 4,
  registeredAt: `2026-01-${String((i % 28) + 1).padStart(2, '0')}T09:00:00Z`,
  evidence: Array.from({ length: 8 }, (_, j) => ({
    id: `t${i}-e${j}`,
    title: `Study ${j} of Technology ${i}`,
    studyDesign: designs[j % 3],
    sampleSize: 40 + i + j,
    independentOfSupplier: (i + j) % 2 === 0,
    citation: `Report ${j} on Technology ${i}`,
  })),
}));
const rootValue = { technologies: ({ first }) => technologies.slice(0, first) };

const once = async () => JSON.stringify(await graphql({ schema, source, rootValue, variableValues }));

for await (const line of createInterface({ input: process.stdin })) {
  const [command, arg] = line.trim().split(' ');
  if (command === 'result') {
    process.stdout.write((await once()) + '\n');
  } else if (command === 'run') {
    const until = performance.now() + Number(arg);
    const cpu = process.cpuUsage();
    let count = 0;
    let bytes = 0;
    while (performance.now() < until) {
      bytes += (await once()).length;
      count++;
    }
    const used = process.cpuUsage(cpu);
    process.stdout.write(JSON.stringify({ count, cpuMicros: used.user + used.system, bytes }) + '\n');
  } else if (command === 'exit') {
    break;
  }
}
