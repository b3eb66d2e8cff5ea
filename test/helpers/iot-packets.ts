/** Encoders for the IoT protocols the crafted captures speak (MQTT 3.1.1/5, Modbus/TCP, DNP3, CoAP). */

function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function mqttPacket(first: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([first]), varint(body.length), body]);
}

export type MqttVersion = 4 | 5;
const props = (v: MqttVersion) => (v === 5 ? Buffer.from([0]) : Buffer.alloc(0));

export const mqtt = {
  connect(clientId: string, user: string | undefined, password: string | undefined, v: MqttVersion = 4): Buffer {
    const flags = 0x02 | (user !== undefined ? 0x80 : 0) | (password !== undefined ? 0x40 : 0);
    const head = Buffer.concat([str('MQTT'), Buffer.from([v, flags]), u16(60), props(v)]);
    const payload = [
      str(clientId),
      ...(user !== undefined ? [str(user)] : []),
      ...(password !== undefined ? [str(password)] : []),
    ];
    return mqttPacket(0x10, Buffer.concat([head, ...payload]));
  },
  connack(code: number, v: MqttVersion = 4): Buffer {
    return mqttPacket(0x20, Buffer.concat([Buffer.from([0, code]), props(v)]));
  },
  subscribe(id: number, topic: string, v: MqttVersion = 4): Buffer {
    return mqttPacket(0x82, Buffer.concat([u16(id), props(v), str(topic), Buffer.from([0])]));
  },
  suback(id: number, v: MqttVersion = 4): Buffer {
    return mqttPacket(0x90, Buffer.concat([u16(id), props(v), Buffer.from([0])]));
  },
  /** QoS 0 publish; `flags` overrides the low nibble (e.g. 0x06 for the invalid QoS 3). */
  publish(topic: string, payload: Buffer, v: MqttVersion = 4, flags = 0): Buffer {
    const id = (flags & 0x06) !== 0 ? u16(1) : Buffer.alloc(0);
    return mqttPacket(0x30 | flags, Buffer.concat([str(topic), id, props(v), payload]));
  },
  /** A fixed header with any type nibble (0 and 15 are unassigned in MQTT 3.1.1). */
  raw(type: number, body: Buffer = Buffer.alloc(0)): Buffer {
    return mqttPacket(type << 4, body);
  },
  disconnect(): Buffer {
    return Buffer.from([0xe0, 0x00]);
  },
};

/** Modbus/TCP ADU: MBAP header (transaction, protocol 0, length, unit) + PDU. */
export function modbusAdu(transaction: number, unit: number, pdu: Buffer): Buffer {
  return Buffer.concat([u16(transaction), u16(0), u16(pdu.length + 1), Buffer.from([unit]), pdu]);
}

/** CRC-16/DNP (poly 0x3D65 reflected, output inverted, little endian). */
export function dnp3Crc(data: Buffer): Buffer {
  let crc = 0;
  for (const byte of data) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa6bc : crc >>> 1;
  }
  const out = Buffer.alloc(2);
  out.writeUInt16LE(~crc & 0xffff);
  return out;
}

/**
 * One DNP3 link frame carrying one transport segment with one application fragment:
 * `app` is application control + function code + objects. Master frames set DIR (0xC4).
 */
export function dnp3Frame(fromMaster: boolean, dst: number, src: number, app: Buffer, seq = 0): Buffer {
  const user = Buffer.concat([Buffer.from([0xc0 | (seq & 0x3f)]), app]);
  const head = Buffer.alloc(8);
  head[0] = 0x05;
  head[1] = 0x64;
  head[2] = 5 + user.length;
  head[3] = fromMaster ? 0xc4 : 0x44;
  head.writeUInt16LE(dst, 4);
  head.writeUInt16LE(src, 6);
  const blocks: Buffer[] = [head, dnp3Crc(head)];
  for (let off = 0; off < user.length; off += 16) {
    const block = user.subarray(off, off + 16);
    blocks.push(block, dnp3Crc(block));
  }
  return Buffer.concat(blocks);
}

export const DNP3 = {
  READ: 0x01,
  WRITE: 0x02,
  COLD_RESTART: 0x0d,
  WARM_RESTART: 0x0e,
  DISABLE_UNSOLICITED: 0x15,
  RESPONSE: 0x81,
} as const;

/** A DNP3 request fragment (FIR|FIN, sequence) with its objects. */
export const dnp3App = (fn: number, objects: number[] = [], seq = 0) =>
  Buffer.from([0xc0 | (seq & 0x0f), fn, ...objects]);

/** CoAP (RFC 7252) message, version 1, no token; `path` segments become Uri-Path options. */
export function coapMessage(
  type: 'CON' | 'NON' | 'ACK',
  code: number,
  messageId: number,
  path: string[] = [],
  payload?: Buffer,
): Buffer {
  const t = { CON: 0, NON: 1, ACK: 2 }[type];
  const parts: Buffer[] = [Buffer.from([0x40 | (t << 4), code]), u16(messageId)];
  let last = 0;
  for (const seg of path) {
    const b = Buffer.from(seg, 'utf8');
    const delta = 11 - last; // Uri-Path is option 11; lengths stay under 13 here
    parts.push(Buffer.from([(delta << 4) | b.length]), b);
    last = 11;
  }
  if (payload) parts.push(Buffer.from([0xff]), payload);
  return Buffer.concat(parts);
}
