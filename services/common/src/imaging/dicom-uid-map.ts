import { createHmac } from 'node:crypto';

/**
 * A UID replaced by a keyed hash (PS3.15 E.3.1 action U): the same UID and secret always give the
 * same new UID, so two images of one study still share one Study Instance UID after
 * de-identification, while nobody without the secret can link the new UID back to the original.
 * The result is '2.25.' + the decimal of a 128-bit UUID (PS3.5 B.2): the first 128 bits of
 * HMAC-SHA256(secret, uid), with the RFC 9562 version-8 and variant bits set so that it is one.
 */
export function remapUid(uid: string, secret: string): string {
  // UI values are padded to even length with NUL (PS3.5 6.2); padding is not part of the UID.
  const bytes = createHmac('sha256', secret).update(uid.replace(/[\0 ]+$/, '')).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${bytes.toString('hex')}`).toString(10)}`;
}
