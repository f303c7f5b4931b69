'use strict';
// A trust's system calling a service through the gateway with @grpc/grpc-js: every call type of the gateway tests'
// Echo service (tests/Gateway.Tests/Protos), with a bearer token and without one.
// Usage: node gateway-client.js --port 5000 --token eyJ...
// Prints one JSON line of what the client saw (replies, status codes, messages, trailers); the .NET test asserts on it.
const path = require('path');
const protoLoader = require('@grpc/proto-loader');
const { grpc, arg } = require('./common');

const PROTO_ROOT = path.resolve(__dirname, '../../Gateway.Tests/Protos');
const DEADLINE_MS = 30000;

function echoClient(port) {
  const definition = protoLoader.loadSync('platform/gatewaytest/v1/echo.proto', { includeDirs: [PROTO_ROOT], keepCase: true, defaults: true });
  const Echo = grpc.loadPackageDefinition(definition).platform.gatewaytest.v1.Echo;
  return new Echo(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

function metadataWith(token) {
  const metadata = new grpc.Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

const options = () => ({ deadline: Date.now() + DEADLINE_MS });

// The status as the client ends with it: code, message and the trailers (grpc-js hands them over as status metadata).
function ended(status) {
  return { code: status.code, details: status.details, trailers: status.metadata.getMap() };
}

function unary(client, method, request, token) {
  return new Promise((resolve) => {
    let reply = null;
    const call = client[method](request, metadataWith(token), options(), (err, response) => { reply = err ? null : response; });
    call.on('status', (status) => setImmediate(() => resolve({ reply, ...ended(status) })));
  });
}

function serverStream(client, request, token) {
  return new Promise((resolve) => {
    const items = [];
    const call = client.Repeat(request, metadataWith(token), options());
    call.on('data', (reply) => items.push(reply.text));
    call.on('error', () => {});
    call.on('status', (status) => resolve({ items, ...ended(status) }));
  });
}

function clientStream(client, texts, token) {
  return new Promise((resolve) => {
    let reply = null;
    const call = client.Gather(metadataWith(token), options(), (err, response) => { reply = err ? null : response; });
    call.on('status', (status) => setImmediate(() => resolve({ reply, ...ended(status) })));
    for (const text of texts) call.write({ text });
    call.end();
  });
}

// Each reply must arrive before the next request is written: both directions stream through the gateway, unbuffered.
function chat(client, texts, token) {
  return new Promise((resolve) => {
    const items = [];
    const call = client.Chat(metadataWith(token), options());
    let next = 0;
    const send = () => {
      if (next < texts.length) call.write({ text: texts[next++] });
      else call.end();
    };
    call.on('data', (reply) => { items.push(reply.text); send(); });
    call.on('error', () => {});
    call.on('status', (status) => resolve({ items, ...ended(status) }));
    send();
  });
}

async function main() {
  const token = arg('token');
  const client = echoClient(arg('port'));
  const result = {
    unary: await unary(client, 'Say', { text: 'hello from grpc-js' }, token),
    refused: await unary(client, 'Say', { mode: 'fail' }, token),
    serverStreaming: await serverStream(client, { text: 'item', count: 3 }, token),
    clientStreaming: await clientStream(client, ['a', 'b', 'c'], token),
    bidiStreaming: await chat(client, ['one', 'two'], token),
    unaryWithoutToken: await unary(client, 'RecordThing', { text: 'no token' }, null),
    streamingWithoutToken: await serverStream(client, { text: 'no token', count: 3 }, null),
  };
  client.close();
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.log(JSON.stringify({ error: String(e && e.stack ? e.stack : e) }));
  process.exit(1);
});
