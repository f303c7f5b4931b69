'use strict';
// The same echo served by @grpc/grpc-js, for comparison. Usage: node echo-server.js <echo.proto>.
// Prints "LISTENING <port>"; on stdin end prints "CALLS <n>" and exits. NODE_PATH must reach tests/interop/node_modules.
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const path = require('path');

const protoPath = process.argv[2];
const definition = protoLoader.loadSync(path.basename(protoPath), { includeDirs: [path.dirname(protoPath)], keepCase: true });
const echo = grpc.loadPackageDefinition(definition).bench.v1.Echo;

let calls = 0;
const server = new grpc.Server();
server.addService(echo.service, {
  Echo(call, callback) {
    calls++;
    callback(null, call.request);
  },
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) { console.error(err); process.exit(1); }
  process.stdout.write(`LISTENING ${port}\n`);
});
process.stdin.on('end', () => { process.stdout.write(`CALLS ${calls}\n`); process.exit(0); });
process.stdin.resume();
