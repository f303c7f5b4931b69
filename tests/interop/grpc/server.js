'use strict';
// A grpc.testing.TestService written with @grpc/grpc-js, for the .NET client to run the interop cases against.
// Usage: node server.js --port 0 [--cert cert.pem --key key.pem]. Prints "LISTENING <port>" once bound; exits when stdin closes.
const { grpc, loadTesting, arg } = require('./common');

const testing = loadTesting();

function echoMetadata(call) {
  const initial = call.metadata.get('x-grpc-test-echo-initial');
  if (initial.length > 0) {
    const m = new grpc.Metadata();
    m.set('x-grpc-test-echo-initial', initial[0]);
    call.sendMetadata(m);
  }
  const trailing = new grpc.Metadata();
  const trailingValue = call.metadata.get('x-grpc-test-echo-trailing-bin');
  if (trailingValue.length > 0) trailing.set('x-grpc-test-echo-trailing-bin', trailingValue[0]);
  return trailing;
}

function statusError(status, trailing) {
  return { code: status.code, details: status.message, metadata: trailing };
}

const service = {
  EmptyCall(call, callback) {
    callback(null, {});
  },

  UnaryCall(call, callback) {
    const trailing = echoMetadata(call);
    const request = call.request;
    if (request.response_status && request.response_status.code !== 0) {
      callback(statusError(request.response_status, trailing));
      return;
    }
    callback(null, { payload: { body: Buffer.alloc(request.response_size) } }, trailing);
  },

  StreamingOutputCall(call) {
    const parameters = call.request.response_parameters;
    let index = 0;
    const next = () => {
      if (call.cancelled) return;
      if (index >= parameters.length) {
        call.end();
        return;
      }
      const p = parameters[index++];
      setTimeout(() => {
        call.write({ payload: { body: Buffer.alloc(p.size) } });
        next();
      }, p.interval_us / 1000);
    };
    next();
  },

  StreamingInputCall(call, callback) {
    let total = 0;
    call.on('data', (r) => { total += r.payload ? r.payload.body.length : 0; });
    call.on('end', () => callback(null, { aggregated_payload_size: total }));
    call.on('error', () => {});
  },

  FullDuplexCall(call) {
    const trailing = echoMetadata(call);
    let failed = false;
    call.on('data', (request) => {
      if (failed) return;
      if (request.response_status && request.response_status.code !== 0) {
        failed = true;
        call.emit('error', statusError(request.response_status, trailing));
        return;
      }
      for (const p of request.response_parameters) {
        call.write({ payload: { body: Buffer.alloc(p.size) } });
      }
    });
    call.on('end', () => { if (!failed) call.end(trailing); });
    call.on('error', () => {});
  },

  HalfDuplexCall(call) {
    const requests = [];
    call.on('data', (r) => requests.push(r));
    call.on('end', () => {
      for (const r of requests) for (const p of r.response_parameters) call.write({ payload: { body: Buffer.alloc(p.size) } });
      call.end();
    });
  },
};

const server = new grpc.Server();
// Only UnimplementedCall is left out, so the client sees UNIMPLEMENTED for it.
server.addService(testing.TestService.service, service);
// --cert <pem> --key <pem>: serve over TLS instead of h2c.
const fs = require('fs');
const credentials = arg('cert')
  ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: fs.readFileSync(arg('cert')), private_key: fs.readFileSync(arg('key')) }])
  : grpc.ServerCredentials.createInsecure();
server.bindAsync(`127.0.0.1:${arg('port', '0')}`, credentials, (err, port) => {
  if (err) {
    console.error(err);
    process.exit(1);
  }
  process.stdout.write(`LISTENING ${port}\n`);
});

process.stdin.on('end', () => server.tryShutdown(() => process.exit(0)));
process.stdin.resume();
