// The graphql-http audit suite (npm graphql-http, the GraphQL-over-HTTP specification's own audits) against a running
// endpoint.
//   GRAPHQL_TOKEN=<bearer token> node graphql/http-audit.mjs <url>
// prints [{id, name, status: "ok" | "warn" | "error", reason}] for every audit, MUST, SHOULD and MAY alike; the
// caller decides what passes. Every request carries the token (our endpoint answers only a trust's callers): the
// suite's own headers are kept, the Authorization header is added.
import { auditServer } from 'graphql-http';

const [url] = process.argv.slice(2);
const token = process.env.GRAPHQL_TOKEN;
if (!url || !token) {
  console.error('usage: GRAPHQL_TOKEN=<token> node graphql/http-audit.mjs <url>');
  process.exit(2);
}

const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

const results = await auditServer({ url, fetchFn });
const report = [];
for (const result of results) {
  const entry = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    entry.reason = result.reason;
    // The response that failed the audit, for the report: status and body (the body may be read once only).
    if (result.response) {
      let body = '';
      try {
        body = await result.response.text();
      } catch {
        body = '(body already read)';
      }
      entry.response = { status: result.response.status, contentType: result.response.headers.get('content-type'), body: body.slice(0, 500) };
    }
  }
  report.push(entry);
}
process.stdout.write(JSON.stringify(report));
