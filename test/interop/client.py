#!/usr/bin/python3
"""A third-party msec client written from docs/ alone (device-protocol.md, wire-format.md,
ledger.md): enrolls a device, publishes one reading over HTTP and one over MQTT, receives them as a
consumer, and verifies both readings in the ledger (two-level inclusion proofs, a consistency proof
and the signed-note checkpoints). Debian's python3-cbor2, python3-cryptography, python3-paho-mqtt.

usage: client.py HUB_URL MQTT_PORT ENROLLMENT_TOKEN OPERATOR_KEY DEVICE_ID ORG
Prints one JSON object per step; exits 0 only when every check passed.
"""
import base64, hashlib, json, sys, threading, time, urllib.error, urllib.request
import cbor2
import paho.mqtt.client as mqtt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

HUB, MQTT_PORT, TOKEN, OPERATOR, DEVICE, ORG = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
API = HUB.rstrip('/') + '/api/v1'
TIMEOUT_S = 60


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


def step(name, **data):
    print(json.dumps({'step': name, **data}), flush=True)


def http(method, path, body=None, token=None, content_type='application/json', accept=None):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    req = urllib.request.Request(API + path, data=data, method=method)
    if data is not None:
        req.add_header('Content-Type', content_type)
    if token:
        req.add_header('Authorization', 'Bearer ' + token)
    if accept:
        req.add_header('Accept', accept)
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, res.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def expect(cond, what):
    if not cond:
        raise SystemExit('FAILED: ' + what)


# --- keys and signatures: ECDSA P-256 / SHA-256, r || s (IEEE P1363) -------------------------
key = ec.generate_private_key(ec.SECP256R1())
nums = key.public_key().public_numbers()
jwk = {'kty': 'EC', 'crv': 'P-256', 'x': b64u(nums.x.to_bytes(32, 'big')), 'y': b64u(nums.y.to_bytes(32, 'big'))}


def sign_p1363(message: bytes) -> bytes:
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, 'big') + s.to_bytes(32, 'big')


# --- enrollment (device-protocol.md section 1) ------------------------------------------------
status, body = http('POST', '/devices/enroll/start', {'token': TOKEN})
expect(status == 200, f'enroll/start answered {status} {body!r}')
session = json.loads(body)
statement = '\n'.join(['msec-enroll-v1', session['sessionId'], session['nonce'], DEVICE]).encode()
status, body = http('POST', '/devices/enroll/finish', {
    'sessionId': session['sessionId'], 'deviceId': DEVICE, 'keystore': 'software', 'signingKey': jwk,
    'proof': b64u(sign_p1363(statement)), 'metadata': {'name': 'Python interop device', 'type': 'other', 'transducers': []},
})
expect(status == 201, f'enroll/finish answered {status} {body!r}')
enrolled = json.loads(body)
expect(enrolled['status'] == 'enrolled' and enrolled['device']['id'] == DEVICE, 'enrollment result')
step('enrolled', org=enrolled['device']['org'])


# --- device credential (section 2) ------------------------------------------------------------
def credential(lifetime=300):
    iat = int(time.time())
    header = b64u(json.dumps({'alg': 'ES256', 'typ': 'msec-device+jwt', 'kid': DEVICE}).encode())
    claims = b64u(json.dumps({'iss': DEVICE, 'sub': DEVICE, 'aud': 'msec-hub', 'iat': iat, 'exp': iat + lifetime}).encode())
    return f'{header}.{claims}.{b64u(sign_p1363(f"{header}.{claims}".encode()))}'


# --- readings (wire-format.md) ----------------------------------------------------------------
PROTECTED = cbor2.dumps({1: -7, 4: DEVICE.encode()})


def signed_reading(counter, value):
    payload = cbor2.dumps({1: DEVICE, 2: f'{DEVICE}/environment/temperature', 3: value, 4: 'Cel', 5: counter, 6: int(time.time() * 1000)})
    tbs = cbor2.dumps(['Signature1', PROTECTED, b'', payload])
    return cbor2.dumps(cbor2.CBORTag(18, [PROTECTED, {}, payload, sign_p1363(tbs)]))


def verify_sign1(cose: bytes, public_key) -> dict:
    msg = cbor2.loads(cose)
    arr = msg.value if isinstance(msg, cbor2.CBORTag) else msg
    prot, _unprot, payload, sig = arr
    tbs = cbor2.dumps(['Signature1', prot, b'', payload])
    der = encode_dss_signature(int.from_bytes(sig[:32], 'big'), int.from_bytes(sig[32:], 'big'))
    public_key.verify(der, tbs, ec.ECDSA(hashes.SHA256()))
    return cbor2.loads(payload)


# --- a consumer subscribes (section 4) --------------------------------------------------------
received, got = [], threading.Event()
consumer = mqtt.Client(client_id='py-consumer', protocol=mqtt.MQTTv311)
consumer.username_pw_set('py-consumer', OPERATOR)
subscribed = threading.Event()
consumer.on_subscribe = lambda c, u, mid, qos: (received.append(('suback', list(qos))), subscribed.set())
consumer.on_message = lambda c, u, m: (received.append((m.topic, json.loads(m.payload))), got.set())
consumer.connect('127.0.0.1', MQTT_PORT)
consumer.loop_start()
consumer.subscribe(f'data/{ORG}/{DEVICE}/#', qos=1)
expect(subscribed.wait(TIMEOUT_S), 'SUBACK')
expect(received[0] == ('suback', [1]), f'subscription granted: {received[0]}')
step('subscribed')


def wait_message(counter):
    deadline = time.time() + TIMEOUT_S
    while time.time() < deadline:
        for topic, msg in received[1:]:
            if isinstance(msg, dict) and msg.get('counter') == counter:
                return topic, msg
        got.wait(0.5)
        got.clear()
    raise SystemExit(f'FAILED: no delivery of counter {counter}')


def check_delivery(counter, cose):
    topic, msg = wait_message(counter)
    expect(topic == f'data/{ORG}/{DEVICE}/environment/temperature', f'topic {topic}')
    expect(unb64u(msg['cose']) == cose and msg['signature'] == 'verified', 'delivered COSE bytes')
    expect(verify_sign1(unb64u(msg['cose']), key.public_key())[5] == counter, 'delivered signature')


# --- publish over HTTP (section 3) ------------------------------------------------------------
http_cose = signed_reading(1, 21.5)
status, body = http('POST', '/readings', http_cose, token=credential(), content_type='application/cose')
expect(status == 202, f'POST /readings answered {status} {body!r}')
expect(json.loads(body)['counter'] == 1, 'HTTP answer')
check_delivery(1, http_cose)
step('published-http')

# --- ledger verification (ledger.md) ------------------------------------------------------------
def node(left, right):
    return hashlib.sha256(b'\x01' + left + right).digest()


def leaf(data):
    return hashlib.sha256(b'\x00' + data).digest()


def inclusion_root(index, size, leaf_hash, path):
    """RFC 9162 section 2.1.3.2."""
    expect(index < size, 'inclusion index within the tree')
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        expect(sn != 0, 'inclusion proof too long')
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    expect(sn == 0, 'inclusion proof too short')
    return r


def verify_consistency(first, second, first_hash, second_hash, path):
    """RFC 9162 section 2.1.4.2."""
    if first == second:
        expect(not path and first_hash == second_hash, 'equal trees')
        return
    if first & (first - 1) == 0:
        path = [first_hash] + path
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        expect(sn != 0, 'consistency proof too long')
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    expect(fr == first_hash and sr == second_hash and sn == 0, 'consistency proof')


status, body = http('GET', '/ledger/verifier-key')
expect(status == 200, 'verifier key')
vname, vhash, vkey_b64 = body.decode().strip().split('+', 2)
vkey = base64.b64decode(vkey_b64)
expect(vkey[0] == 0x02, 'ECDSA verifier key')
expect(hashlib.sha256(vkey[1:]).digest()[:4] == bytes.fromhex(vhash), 'verifier key hash')
log_key = serialization.load_der_public_key(vkey[1:])
status, pem = http('GET', '/ledger/public-key?format=pem')
expect(status == 200 and serialization.load_pem_public_key(pem).public_numbers() == log_key.public_numbers(), 'PEM key')


def open_checkpoint(note: str):
    """c2sp.org/signed-note with the type 0x02 key; returns (size, root)."""
    split = note.rindex('\n\n')
    text = note[:split + 1]
    ok = False
    for line in note[split + 2:-1].split('\n'):
        dash, name, sig_b64 = line.split(' ')
        sig = base64.b64decode(sig_b64)
        if dash == '\u2014' and name == vname and sig[:4] == bytes.fromhex(vhash):
            log_key.verify(sig[4:], text.encode(), ec.ECDSA(hashes.SHA256()))
            ok = True
    expect(ok, 'checkpoint signed by the log key')
    origin, size, root = text[:-1].split('\n')
    expect(origin == vname, 'checkpoint origin')
    return int(size), base64.b64decode(root)


def prove_reading(cose):
    reading_hash = hashlib.sha256(cose).hexdigest()
    deadline = time.time() + TIMEOUT_S
    while True:
        status, body = http('GET', f'/ledger/readings/{reading_hash}/proof', token=OPERATOR)
        if status == 200:
            break
        expect(status == 404 and time.time() < deadline, f'reading proof answered {status} {body!r}')
        time.sleep(0.5)
    p = json.loads(body)
    r, entry = p['reading'], p['entry']
    expect(r['readingHash'] == reading_hash, 'proved reading hash')
    batch_root = inclusion_root(r['position'], r['batchSize'], leaf(bytes.fromhex(reading_hash)), [base64.b64decode(h) for h in r['batchProof']])
    expect(batch_root.hex() == r['batchRoot'] == entry['dataHash'] and entry['kind'] == 'hub.readings-batch', 'batch level')
    leaf_input = f"msec-ledger-entry/v1\n{entry['kind']}\n{entry['dataHash']}\n{entry['timestamp']}\n".encode()
    size, root = open_checkpoint(p['checkpoint']['note'])
    expect(p['proof']['treeSize'] == size, 'proof for the checkpoint size')
    expect(inclusion_root(entry['index'], size, leaf(leaf_input), [base64.b64decode(h) for h in p['proof']['hashes']]) == root, 'log level')
    return size, root


size1, root1 = prove_reading(http_cose)
step('proved-http', treeSize=size1)

# --- publish over MQTT as the device (section 4) ----------------------------------------------
device = mqtt.Client(client_id=DEVICE, protocol=mqtt.MQTTv311)
device.username_pw_set(DEVICE, credential())
connected = threading.Event()
device.on_connect = lambda c, u, f, rc: (received.append(('connack', rc)), connected.set())
device.connect('127.0.0.1', MQTT_PORT)
device.loop_start()
expect(connected.wait(TIMEOUT_S) and ('connack', 0) in received, 'device CONNACK 0')
mqtt_cose = signed_reading(2, 22.25)
info = device.publish(f'devices/{DEVICE}/readings', mqtt_cose, qos=1)
info.wait_for_publish(TIMEOUT_S)
expect(info.is_published(), 'PUBACK')
check_delivery(2, mqtt_cose)
step('published-mqtt')
device.loop_stop()
device.disconnect()

size2, root2 = prove_reading(mqtt_cose)
expect(size2 > size1, 'the log grew')
status, body = http('GET', f'/ledger/proofs/consistency?from={size1}&to={size2}', token=OPERATOR)
expect(status == 200, f'consistency answered {status}')
c = json.loads(body)
expect(open_checkpoint(c['oldCheckpoint']['note']) == (size1, root1) and open_checkpoint(c['newCheckpoint']['note']) == (size2, root2), 'consistency checkpoints')
verify_consistency(size1, size2, root1, root2, [base64.b64decode(h) for h in c['hashes']])
step('proved-consistency', fromSize=size1, toSize=size2)
consumer.loop_stop()
consumer.disconnect()
step('done')
