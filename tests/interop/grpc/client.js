'use strict';
// The grpc interop client cases (doc/interop-test-descriptions.md) run with @grpc/grpc-js against a server under test.
// Usage: node client.js --port 5000 [--cases a,b,c] [--ca server-cert.pem]. Prints one JSON line per case: {"case","passed","error","ms"}.
const assert = require('assert');
const { grpc, loadTesting, arg } = require('./common');

const testing = loadTesting();
const port = arg('port');
const target = `127.0.0.1:${port}`;
const CASE_TIMEOUT_MS = Number(arg('case-timeout-ms', '30000'));
// The 1000-call case moves about 590 MB; give it room on a loaded machine.
const CASE_TIMEOUTS_MS = { concurrent_large_unary: 4 * CASE_TIMEOUT_MS };

// --ca <pem>: call over TLS, trusting that certificate (the tests' self-signed server certificate).
const caFile = arg('ca');
const channelCredentials = () => (caFile
  ? grpc.credentials.createSsl(require('fs').readFileSync(caFile))
  : grpc.credentials.createInsecure());

function newClient(Service, options) {
  return new Service(target, channelCredentials(), options || {});
}

const client = newClient(testing.TestService);

const zeros = (n) => Buffer.alloc(n);

function unary(c, method, request, metadata, options) {
  return new Promise((resolve, reject) => {
    const call = c[method](request, metadata || new grpc.Metadata(), options || {}, (err, response) => {
      if (err) reject(err); else resolve({ response, call });
    });
  });
}

function expectError(promise, code, details) {
  return promise.then(
    () => { throw new Error(`expected status ${code}, got OK`); },
    (err) => {
      if (err.code !== code) throw new Error(`expected status ${code}, got ${err.code}: ${err.details}`);
      if (details !== undefined) assert.strictEqual(err.details, details);
      return err;
    });
}

function collectStream(call) {
  return new Promise((resolve, reject) => {
    const responses = [];
    call.on('data', (r) => responses.push(r));
    call.on('error', reject);
    call.on('status', (s) => { if (s.code === grpc.status.OK) resolve(responses); });
  });
}

function largeUnaryRequest(extra) {
  return Object.assign({ response_size: 314159, payload: { body: zeros(271828) } }, extra || {});
}

const LARGE_RESPONSE_ZEROS = zeros(314159);

function checkLargeUnary(response) {
  assert.strictEqual(response.payload.body.length, 314159);
  assert.ok(response.payload.body.equals(LARGE_RESPONSE_ZEROS), 'payload is not all zeros');
}

const cases = {
  async empty_unary() {
    const { response } = await unary(client, 'EmptyCall', {});
    assert.deepStrictEqual(response, {});
  },

  async large_unary() {
    const { response } = await unary(client, 'UnaryCall', largeUnaryRequest());
    checkLargeUnary(response);
  },

  async client_streaming() {
    const response = await new Promise((resolve, reject) => {
      const call = client.StreamingInputCall((err, r) => (err ? reject(err) : resolve(r)));
      for (const size of [27182, 8, 1828, 45904]) call.write({ payload: { body: zeros(size) } });
      call.end();
    });
    assert.strictEqual(response.aggregated_payload_size, 74922);
  },

  async server_streaming() {
    const sizes = [31415, 9, 2653, 58979];
    const call = client.StreamingOutputCall({ response_parameters: sizes.map((size) => ({ size })) });
    const responses = await collectStream(call);
    assert.deepStrictEqual(responses.map((r) => r.payload.body.length), sizes);
  },

  async ping_pong() {
    const requests = [[31415, 27182], [9, 8], [2653, 1828], [58979, 45904]];
    const call = client.FullDuplexCall();
    const received = [];
    let next;
    call.on('data', (r) => { received.push(r); if (next) next(); });
    const done = new Promise((resolve, reject) => {
      call.on('error', reject);
      call.on('status', (s) => (s.code === 0 ? resolve() : reject(new Error(s.details))));
    });
    for (const [responseSize, requestSize] of requests) {
      const got = new Promise((resolve) => { next = resolve; });
      call.write({ response_parameters: [{ size: responseSize }], payload: { body: zeros(requestSize) } });
      await got;
      assert.strictEqual(received[received.length - 1].payload.body.length, responseSize);
    }
    call.end();
    await done;
    assert.strictEqual(received.length, 4);
  },

  async empty_stream() {
    const call = client.FullDuplexCall();
    const responses = collectStream(call);
    call.end();
    assert.strictEqual((await responses).length, 0);
  },

  async custom_metadata() {
    const initialValue = 'test_initial_metadata_value';
    const trailingValue = Buffer.from([0xab, 0xab, 0xab]);
    const metadata = () => {
      const m = new grpc.Metadata();
      m.set('x-grpc-test-echo-initial', initialValue);
      m.set('x-grpc-test-echo-trailing-bin', trailingValue);
      return m;
    };

    // Unary.
    await new Promise((resolve, reject) => {
      let initial;
      const call = client.UnaryCall(largeUnaryRequest(), metadata(), (err, response) => {
        if (err) return reject(err);
        try { checkLargeUnary(response); } catch (e) { return reject(e); }
      });
      call.on('metadata', (m) => { initial = m; });
      call.on('status', (status) => {
        try {
          assert.strictEqual(status.code, 0);
          assert.deepStrictEqual(initial.get('x-grpc-test-echo-initial'), [initialValue]);
          assert.ok(Buffer.compare(status.metadata.get('x-grpc-test-echo-trailing-bin')[0], trailingValue) === 0);
          resolve();
        } catch (e) { reject(e); }
      });
    });

    // Full duplex.
    await new Promise((resolve, reject) => {
      let initial;
      const call = client.FullDuplexCall(metadata());
      call.on('metadata', (m) => { initial = m; });
      call.on('data', (r) => { if (r.payload.body.length !== 314159) reject(new Error('bad size')); });
      call.on('error', reject);
      call.on('status', (status) => {
        try {
          assert.strictEqual(status.code, 0);
          assert.deepStrictEqual(initial.get('x-grpc-test-echo-initial'), [initialValue]);
          assert.ok(Buffer.compare(status.metadata.get('x-grpc-test-echo-trailing-bin')[0], trailingValue) === 0);
          resolve();
        } catch (e) { reject(e); }
      });
      call.write({ response_parameters: [{ size: 314159 }], payload: { body: zeros(271828) } });
      call.end();
    });
  },

  async status_code_and_message() {
    const message = 'test status message';
    await expectError(unary(client, 'UnaryCall', { response_status: { code: 2, message } }), 2, message);
    const error = await new Promise((resolve, reject) => {
      const call = client.FullDuplexCall();
      call.on('data', () => {});
      call.on('error', resolve);
      call.on('status', (s) => { if (s.code === 0) reject(new Error('completed OK')); });
      call.write({ response_status: { code: 2, message } });
      call.end();
    });
    assert.strictEqual(error.code, 2);
    assert.strictEqual(error.details, message);
  },

  async special_status_message() {
    const message = '\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \uD83D\uDE08\t\n';
    await expectError(unary(client, 'UnaryCall', { response_status: { code: 2, message } }), 2, message);
  },

  async unimplemented_method() {
    await expectError(unary(client, 'UnimplementedCall', {}), grpc.status.UNIMPLEMENTED);
  },

  async unimplemented_service() {
    const other = newClient(testing.UnimplementedService);
    try {
      await expectError(unary(other, 'UnimplementedCall', {}), grpc.status.UNIMPLEMENTED);
    } finally {
      other.close();
    }
  },

  async cancel_after_begin() {
    const error = await new Promise((resolve) => {
      const call = client.StreamingInputCall((err) => resolve(err));
      call.cancel();
    });
    assert.strictEqual(error.code, grpc.status.CANCELLED);
  },

  async cancel_after_first_response() {
    const error = await new Promise((resolve, reject) => {
      const call = client.FullDuplexCall();
      call.on('data', () => call.cancel());
      call.on('error', resolve);
      call.on('status', (s) => { if (s.code === 0) reject(new Error('completed OK')); });
      call.write({ response_parameters: [{ size: 31415 }], payload: { body: zeros(27182) } });
    });
    assert.strictEqual(error.code, grpc.status.CANCELLED);
  },

  async timeout_on_sleeping_server() {
    const error = await new Promise((resolve, reject) => {
      const call = client.FullDuplexCall({ deadline: Date.now() + 1 });
      call.on('data', () => {});
      call.on('error', resolve);
      call.on('status', (s) => { if (s.code === 0) reject(new Error('completed OK')); });
      call.write({ payload: { body: zeros(27182) } });
    });
    assert.strictEqual(error.code, grpc.status.DEADLINE_EXCEEDED);
  },

  async concurrent_large_unary() {
    // 1000 large unary calls on one channel, at most 100 in flight (the server's stream limit), so memory stays bounded.
    const total = 1000;
    const window = 100;
    let started = 0;
    let completed = 0;
    async function worker() {
      while (started < total) {
        started++;
        const { response } = await unary(client, 'UnaryCall', largeUnaryRequest());
        checkLargeUnary(response);
        completed++;
      }
    }
    await Promise.all(Array.from({ length: window }, worker));
    assert.strictEqual(completed, total);
  },

  async client_compressed_unary() {
    // Probe: an uncompressed request that claims to be compressed must be refused.
    await expectError(unary(client, 'UnaryCall', largeUnaryRequest({ expect_compressed: { value: true } })), grpc.status.INVALID_ARGUMENT);

    const gzipClient = newClient(testing.TestService, { 'grpc.default_compression_algorithm': 2 });
    try {
      const { response } = await unary(gzipClient, 'UnaryCall', largeUnaryRequest({ expect_compressed: { value: true } }));
      checkLargeUnary(response);
    } finally {
      gzipClient.close();
    }

    const { response } = await unary(client, 'UnaryCall', largeUnaryRequest({ expect_compressed: { value: false } }));
    checkLargeUnary(response);
  },

  async server_compressed_unary() {
    for (const compressed of [true, false]) {
      const { response } = await unary(client, 'UnaryCall', largeUnaryRequest({ response_compressed: { value: compressed } }));
      checkLargeUnary(response);
    }
  },
};

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms); }),
  ]);
}

async function main() {
  const selected = (arg('cases') || Object.keys(cases).join(',')).split(',');
  for (const name of selected) {
    const started = Date.now();
    const result = { case: name, passed: false, error: null, ms: 0 };
    try {
      if (!cases[name]) throw new Error(`unknown case ${name}`);
      await withTimeout(cases[name](), CASE_TIMEOUTS_MS[name] || CASE_TIMEOUT_MS);
      result.passed = true;
    } catch (e) {
      result.error = e && (e.stack || e.message || String(e));
    }
    result.ms = Date.now() - started;
    process.stdout.write(JSON.stringify(result) + '\n');
  }
  client.close();
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
