#!/usr/bin/env node
// Reads a TensorBoard event file as TensorBoard does, independently of NafNative's writer: TFRecord framing
// (u64 length, masked CRC32C of the length, data, masked CRC32C of the data), each record an Event message.
// Prints one JSON document: {records, file_version, scalars: {tag: [{step, value, wall_time}]}, texts: {tag: text}}.
// Exits 1 naming the record on a CRC mismatch, a truncated record or a message that does not decode.
'use strict';
const fs = require('fs');
const path = require('path');
const protobuf = require('protobufjs');
const { crc32c } = require('@aws-crypto/crc32c');

// TFRecord's mask (tensorflow/core/lib/hash/crc32c.h): rotate right by 15 bits, add a constant.
function masked(bytes) {
  const crc = crc32c(bytes) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

function fail(message) {
  process.stderr.write(`read-events: ${message}\n`);
  process.exit(1);
}

const file = process.argv[2];
if (!file) fail('usage: read-events.js EVENT_FILE');
const root = protobuf.loadSync(path.join(__dirname, 'tensorboard-event.proto'));
const Event = root.lookupType('tensorboard.Event');
const data = fs.readFileSync(file);

const out = { records: 0, file_version: null, scalars: {}, texts: {} };
let offset = 0;
while (offset < data.length) {
  const at = `${file}: record ${out.records} at byte ${offset}`;
  if (offset + 12 > data.length) fail(`${at}: truncated header`);
  const header = data.subarray(offset, offset + 8);
  const length = Number(data.readBigUInt64LE(offset));
  if (data.readUInt32LE(offset + 8) !== masked(header)) fail(`${at}: length CRC mismatch`);
  const start = offset + 12;
  if (start + length + 4 > data.length) fail(`${at}: truncated data (length ${length})`);
  const body = data.subarray(start, start + length);
  if (data.readUInt32LE(start + length) !== masked(body)) fail(`${at}: data CRC mismatch`);
  let event;
  try {
    event = Event.toObject(Event.decode(body), { longs: Number, bytes: Buffer, defaults: false });
  } catch (e) {
    fail(`${at}: ${e.message}`);
  }
  if (event.fileVersion !== undefined) {
    if (out.records !== 0) fail(`${at}: file_version after the first record`);
    out.file_version = event.fileVersion;
  }
  for (const value of (event.summary && event.summary.value) || []) {
    if (value.simpleValue !== undefined) {
      (out.scalars[value.tag] = out.scalars[value.tag] || []).push({ step: event.step || 0, value: value.simpleValue, wall_time: event.wallTime });
    } else if (value.tensor && value.tensor.stringVal) {
      const plugin = value.metadata && value.metadata.pluginData && value.metadata.pluginData.pluginName;
      if (plugin !== 'text') fail(`${at}: string tensor '${value.tag}' without the text plugin's metadata`);
      out.texts[value.tag] = value.tensor.stringVal.map((b) => b.toString('utf8')).join('\n');
    }
  }
  out.records++;
  offset = start + length + 4;
}
process.stdout.write(JSON.stringify(out) + '\n');
