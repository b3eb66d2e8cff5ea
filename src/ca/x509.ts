/**
 * The one import of @peculiar/x509 (X.509, CRLs and PKCS #10 built from ASN.1 schemas, not by
 * hand). tsyringe, its dependency injector, needs the Reflect metadata polyfill loaded first.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };
