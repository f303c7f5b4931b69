// An independent verifier of the platform's audit log, written from the specifications, not from our C#:
//   RFC 9162 §2.1 (Merkle tree hash, inclusion and consistency proof verification),
//   c2sp.org/signed-note, c2sp.org/tlog-checkpoint and c2sp.org/tlog-cosignature (checkpoints and signatures),
//   RFC 8785 through the npm package `canonicalize`, and docs/audit/canonical-entry.md + docs/audit/export-bundle.md
//   (how an AuditEvent maps back to the canonical entry).
// Node's own crypto does SHA-256 and Ed25519.
//
//   node verify.mjs proofs <cases.json>      -> {"results":[true|false, ...]}
//   node verify.mjs bundle <export.json> --key <vkey> [--key <vkey>...] [--witnesses N]
//                                             -> {"ok":bool,"checked":n,"firstFailure":{"sequence":s,"reason":r}|null,...}
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { readFileSync } from 'node:fs';
import canonicalize from 'canonicalize';

const sha256 = (...parts) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leafHash = (data) => sha256(Buffer.from([0x00]), data);
const nodeHash = (left, right) => sha256(Buffer.from([0x01]), left, right);
const b64 = (s) => Buffer.from(s, 'base64');
const equal = (a, b) => Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);

// RFC 9162 §2.1.1: MTH(D[n]) with k the largest power of two smaller than n.
function treeHash(leaves) {
  if (leaves.length === 0) return sha256(Buffer.alloc(0));
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(treeHash(leaves.slice(0, k)), treeHash(leaves.slice(k)));
}

// RFC 9162 §2.1.3.2, with BigInt so sizes beyond 2^32 shift correctly.
function verifyInclusion(index, size, hash, proof, root) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn > sn || fn < 0n) return false;
  let r = hash;
  for (const p of proof) {
    if (p.length !== 32) return false;
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(r, root);
}

// RFC 9162 §2.1.4.2, plus the trivial cases the RFC leaves to the caller (equal sizes, an empty old tree).
function verifyConsistency(size1, size2, root1, root2, proof) {
  const first = BigInt(size1);
  const second = BigInt(size2);
  if (first < 0n || second < first) return false;
  if (proof.some((p) => p.length !== 32)) return false;
  if (first === second) return proof.length === 0 && equal(root1, root2);
  if (first === 0n) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = (first & (first - 1n)) === 0n ? [root1, ...proof] : [...proof];
  let fn = first - 1n;
  let sn = second - 1n;
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return equal(fr, root1) && equal(sr, root2) && sn === 0n;
}

// c2sp.org/signed-note verifier keys: <name>+<hex key id>+<base64(type || public key)>.
function parseVerifierKey(text) {
  const first = text.indexOf('+');
  const second = text.indexOf('+', first + 1);
  const name = text.slice(0, first);
  const id = parseInt(text.slice(first + 1, second), 16);
  const blob = b64(text.slice(second + 1));
  const type = blob[0];
  const publicKey = blob.subarray(1);
  const expectedId = sha256(Buffer.from(name, 'utf8'), Buffer.from([0x0a, type]), publicKey).readUInt32BE(0);
  if (publicKey.length !== 32 || id !== expectedId) throw new Error(`verifier key ${name} does not match its id`);
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') }, format: 'jwk' });
  return { name, id, type, key };
}

// c2sp.org/signed-note: text, a blank line, then "— <name> <base64(key id || signature)>" lines.
function openNote(note, keys) {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new Error('malformed note');
  const text = note.slice(0, split + 1);
  const verified = [];
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const match = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!match) throw new Error('malformed signature line');
    const blob = b64(match[2]);
    const key = keys.find((k) => k.name === match[1] && k.id === blob.readUInt32BE(0));
    if (!key) continue; // unknown keys are ignored
    let ok = false;
    let timestamp = null;
    if (key.type === 0x01) {
      ok = verifySignature(null, Buffer.from(text, 'utf8'), key.key, blob.subarray(4));
    } else if (key.type === 0x04 && blob.length === 4 + 8 + 64) {
      timestamp = blob.readBigUInt64BE(4);
      const message = Buffer.from(`cosignature/v1\ntime ${timestamp}\n${text}`, 'utf8');
      ok = verifySignature(null, message, key.key, blob.subarray(12));
    }
    if (!ok) throw new Error(`invalid signature for key ${key.name}`);
    verified.push({ key, timestamp });
  }
  if (verified.length === 0) throw new Error('no trusted signature');
  return { text, verified };
}

// The AuditEvent -> canonical entry mapping of docs/audit/export-bundle.md.
const SYSTEMS = {
  eventType: 'https://platform.example/fhir/CodeSystem/audit-event-type',
  role: 'https://platform.example/fhir/CodeSystem/role',
  entityType: 'https://platform.example/fhir/CodeSystem/audit-entity-type',
  actor: 'https://platform.example/fhir/NamingSystem/actor',
  ods: 'https://fhir.nhs.uk/Id/ods-organization-code',
  purposeOfUse: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  objectRole: 'http://terminology.hl7.org/CodeSystem/object-role',
  sequence: 'https://platform.example/fhir/StructureDefinition/audit-log-sequence',
  proof: 'https://platform.example/fhir/StructureDefinition/audit-log-inclusion-proof',
  sourceEvent: 'https://platform.example/fhir/StructureDefinition/audit-source-event',
};

// FHIR instant -> UTC with exactly six fractional digits and 'Z'.
function recordedText(instant) {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d:\d\d)$/.exec(instant);
  if (!m) throw new Error(`recorded ${instant} is not an instant with at most microseconds`);
  const seconds = Date.parse(m[1] + m[3]);
  const utc = new Date(seconds).toISOString().slice(0, 19);
  return `${utc}.${(m[2] ?? '').padEnd(6, '0')}Z`;
}

function canonicalEntry(event) {
  const ext = (url) => (event.extension ?? []).filter((e) => e.url === url);
  const agent = event.agent[0];
  const mainEntity = event.entity.filter((e) => e.role === undefined)[0];
  const patient = event.entity.filter((e) => e.role?.system === SYSTEMS.objectRole && e.role?.code === '1')[0];
  const source = ext(SYSTEMS.sourceEvent)[0];
  const entry = {
    schema: 'audit-entry/v1',
    id: event.id,
    tenant: event.source.observer.identifier.value,
    sequence: ext(SYSTEMS.sequence)[0].valueDecimal,
    type: event.type.code,
    action: event.action,
    outcome: event.outcome,
    recorded: recordedText(event.recorded),
    agent: {
      who: agent.who.identifier.value,
      role: agent.role[0].coding[0].code,
      purposeOfUse: agent.purposeOfUse?.[0]?.coding?.[0]?.code ?? '',
    },
    entity: { what: mainEntity.what.reference, type: mainEntity.type?.code ?? '' },
  };
  if (patient) entry.patient = patient.what.reference;
  if (source) {
    const sub = (url) => source.extension.find((e) => e.url === url);
    entry.sourceEvent = { source: sub('source').valueUri, id: sub('id').valueString };
  }
  return { entry, proof: ext(SYSTEMS.proof).map((e) => b64(e.valueBase64Binary)) };
}

function verifyBundle(path, keyTexts, witnesses) {
  const bundle = JSON.parse(readFileSync(path, 'utf8'));
  const keys = keyTexts.map(parseVerifierKey);
  const logKeys = keys.filter((k) => k.type === 0x01);
  const origin = logKeys[0].name;
  const parameters = bundle.entry[0].resource;
  const param = (name) => parameters.parameter.find((p) => p.name === name);
  const note = param('checkpoint').valueString;
  const { text, verified } = openNote(note, keys);
  if (!verified.some((v) => v.key.type === 0x01)) throw new Error('the log did not sign the checkpoint');
  if (verified.filter((v) => v.key.type === 0x04).length < witnesses) throw new Error('too few witness cosignatures');
  // c2sp.org/tlog-checkpoint: origin, size, base64 root; then our "time" extension line.
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== origin) throw new Error(`checkpoint of ${lines[0]}, not ${origin}`);
  const size = Number(lines[1]);
  const root = b64(lines[2]);
  const first = param('first-sequence').valueDecimal;
  const last = param('last-sequence').valueDecimal;
  const tenant = origin.slice(origin.lastIndexOf('/') + 1);

  let expected = first;
  const leaves = [];
  for (const item of bundle.entry.slice(1)) {
    const { entry, proof } = canonicalEntry(item.resource);
    const leaf = leafHash(Buffer.from(canonicalize(entry), 'utf8'));
    leaves.push(leaf);
    const fail = (reason) => ({ ok: false, checked: expected - first, size, firstFailure: { sequence: expected, reason } });
    if (entry.tenant !== tenant) return fail(`entry of trust ${entry.tenant}`);
    if (entry.sequence !== expected) return fail(`found sequence ${entry.sequence} where ${expected} belongs`);
    if (!verifyInclusion(entry.sequence - 1, size, leaf, proof, root)) return fail('not included in the signed tree');
    expected++;
  }
  if (expected !== last + 1) return { ok: false, checked: expected - first, size, firstFailure: { sequence: expected, reason: 'missing' } };
  // A whole-log export can be checked without any proof: the RFC's tree hash over every leaf.
  const wholeTreeRecomputed = first === 1 && last === size;
  if (wholeTreeRecomputed && !equal(treeHash(leaves), root)) return { ok: false, checked: leaves.length, size, firstFailure: { sequence: 0, reason: 'root differs' } };
  return { ok: true, checked: leaves.length, size, firstFailure: null, wholeTreeRecomputed, witnesses: verified.filter((v) => v.key.type === 0x04).length };
}

function runProofs(path) {
  const { cases } = JSON.parse(readFileSync(path, 'utf8'));
  return cases.map((c) => {
    switch (c.kind) {
      case 'inclusion': return verifyInclusion(c.index, c.size, b64(c.leaf), c.proof.map(b64), b64(c.root));
      case 'consistency': return verifyConsistency(c.size1, c.size2, b64(c.root1), b64(c.root2), c.proof.map(b64));
      case 'tree': return equal(treeHash(c.leaves.map(b64)), b64(c.root));
      default: throw new Error(`unknown case ${c.kind}`);
    }
  });
}

const [mode, path, ...rest] = process.argv.slice(2);
const keys = [];
let witnesses = 0;
for (let i = 0; i < rest.length; i += 2) {
  if (rest[i] === '--key') keys.push(rest[i + 1]);
  else if (rest[i] === '--witnesses') witnesses = Number(rest[i + 1]);
}
try {
  const result = mode === 'proofs' ? { results: runProofs(path) } : verifyBundle(path, keys, witnesses);
  process.stdout.write(JSON.stringify(result) + '\n');
} catch (e) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(e.message ?? e) }) + '\n');
}
