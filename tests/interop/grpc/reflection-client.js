'use strict';
// What grpcurl does, with @grpc/grpc-js: ask a server's reflection service (v1 or v1alpha) for its services and their
// .proto files, build a client from those descriptors alone, and call a method with it.
// Usage: node reflection-client.js --port 5000 --version v1|v1alpha --service grpc.testing.TestService --method EmptyCall
// Prints one JSON line: {"services":[...],"files":[...],"called":true} or {"error":"..."}.
const path = require('path');
const protoLoader = require('@grpc/proto-loader');
const { grpc, arg } = require('./common');

// The public grpc.reflection protos, kept beside the test protos (the .NET side gets them from Grpc.Reflection).
const REFLECTION_ROOT = path.resolve(__dirname, '../../Platform.Grpc.Tests/Protos');
const version = arg('version', 'v1');
const target = `127.0.0.1:${arg('port')}`;

function reflectionClient() {
  const definition = protoLoader.loadSync(`grpc/reflection/${version}/reflection.proto`, { includeDirs: [REFLECTION_ROOT], keepCase: true, defaults: true, oneofs: true });
  const Reflection = grpc.loadPackageDefinition(definition).grpc.reflection[version].ServerReflection;
  return new Reflection(target, grpc.credentials.createInsecure());
}

function ask(client, requests) {
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo();
    const responses = [];
    call.on('data', (r) => responses.push(r));
    call.on('error', reject);
    call.on('end', () => resolve(responses));
    for (const r of requests) call.write(r);
    call.end();
  });
}

// A FileDescriptorSet is field 1 (repeated FileDescriptorProto), so it is the concatenation of length-delimited entries.
function fileDescriptorSet(files) {
  const parts = [];
  for (const file of files) {
    const header = [0x0a];
    let n = file.length;
    while (n > 0x7f) { header.push((n & 0x7f) | 0x80); n >>>= 7; }
    header.push(n);
    parts.push(Buffer.from(header), file);
  }
  return Buffer.concat(parts);
}

async function main() {
  const service = arg('service', 'grpc.testing.TestService');
  const method = arg('method', 'EmptyCall');
  const client = reflectionClient();
  const [list, symbol] = await ask(client, [{ list_services: '' }, { file_containing_symbol: service }]);
  client.close();
  if (symbol.error_response) throw new Error(`reflection error ${symbol.error_response.error_code}: ${symbol.error_response.error_message}`);

  const files = symbol.file_descriptor_response.file_descriptor_proto;
  const definition = protoLoader.loadFileDescriptorSetFromBuffer(fileDescriptorSet(files), { keepCase: true, defaults: true });
  const Service = service.split('.').reduce((o, part) => o[part], grpc.loadPackageDefinition(definition));
  const dynamic = new Service(target, grpc.credentials.createInsecure());
  await new Promise((resolve, reject) => dynamic[method]({}, (err) => (err ? reject(err) : resolve())));
  dynamic.close();

  process.stdout.write(JSON.stringify({
    services: list.list_services_response.service.map((s) => s.name),
    files: files.length,
    called: true,
  }) + '\n');
}

main().then(() => process.exit(0), (e) => { process.stdout.write(JSON.stringify({ error: String(e && (e.stack || e.message || e)) }) + '\n'); process.exit(0); });
