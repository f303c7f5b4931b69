// Canonicalizes JSON texts with the npm package `canonicalize` (by Samuel Erdtman, an author of RFC 8785), the
// peer our C# JsonCanonicalizer is checked against byte for byte.
// Input (stdin): a JSON array of JSON texts. Output (stdout): one line {"results":[{"hex":...}|{"error":...}]}.
import canonicalize from 'canonicalize';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const texts = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const results = texts.map((text) => {
  try {
    const canonical = canonicalize(JSON.parse(text));
    return { hex: Buffer.from(canonical, 'utf8').toString('hex') };
  } catch (e) {
    return { error: String(e.message ?? e) };
  }
});
process.stdout.write(JSON.stringify({ results }) + '\n');
