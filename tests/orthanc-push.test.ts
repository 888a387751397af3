import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiKeyStore, createFileBlobStore, decodeEvent, remapUid, TOPICS } from '@vigil/common';
import { dicomString } from '../services/ingestion/test/support/studies';
import { startChurnStack } from './support/churn-stack';
import { createTestDatabase, type TestDatabase } from './support/database';
import { TEST_UID_SECRET } from './support/ingestion-app';
import { collect, testBus, waitFor } from './support/kafka';
import { DICOM_DIR } from './support/shared-data';
import { trainAndPromoteXrayModels } from './support/xray-models';

/**
 * A real PACS pushing to Vigil: Debian's Orthanc with its DICOMweb plugin (installed by .ci/run)
 * stores a chest radiograph and sends it with STOW-RS to Vigil's ingestion, listening on a real
 * port; the study is de-identified, announced, and predicted by inference. Without Orthanc the
 * test fails: a skipped test would hide exactly the integration it is here to check.
 */
const ORTHANC = '/usr/sbin/Orthanc';
const chest = readFileSync(path.join(DICOM_DIR, 'nhsx_NIH-CXR14_chest_DX_SC_implicitLE.dcm'));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function dicomWebPlugin(): string {
  const files = execFileSync('dpkg', ['-L', 'orthanc-dicomweb'], { encoding: 'utf8' }).split('\n');
  const plugin = files.find((f) => /\/plugins\/[^/]*DicomWeb[^/]*\.so$/.test(f)) ?? files.find((f) => /DicomWeb.*\.so/.test(f));
  if (!plugin) throw new Error('orthanc-dicomweb lists no plugin .so (dpkg -L orthanc-dicomweb)');
  return plugin;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Orthanc pushes a chest X-ray to Vigil with DICOMweb STOW-RS', () => {
  let db: TestDatabase;
  let stack: Awaited<ReturnType<typeof startChurnStack>>;
  let orthanc: ChildProcess | undefined;
  let orthancUrl = '';
  const orthancLog: string[] = [];
  const workDir = mkdtempSync(path.join(tmpdir(), 'vigil-orthanc-'));
  const bus = testBus();
  const admin = bus.admin();
  const key: Record<string, string> = {};
  let events: Awaited<ReturnType<typeof collect>> | undefined;

  beforeAll(async () => {
    if (!existsSync(ORTHANC)) throw new Error(`${ORTHANC} is missing: apt-get install -y orthanc orthanc-dicomweb (as .ci/run does)`);
    db = await createTestDatabase();
    stack = await startChurnStack({ pool: db.pool, inferencePool: db.pool, bus, admin });
    const keys = createApiKeyStore(db.pool);
    key.ml = (await keys.create('ml-engineer', ['models:admin'])).key;
    key.orthanc = (await keys.create('orthanc-router', ['xray:submit'])).key;
    await trainAndPromoteXrayModels(stack, key.ml, 12);

    const vigil = await stack.ingestion.listen({ host: '127.0.0.1', port: 0 });
    const [httpPort, dicomPort] = [await freePort(), await freePort()];
    const config = {
      Name: 'vigil-test-pacs',
      HttpPort: httpPort,
      DicomPort: dicomPort,
      StorageDirectory: path.join(workDir, 'storage'),
      IndexDirectory: path.join(workDir, 'index'),
      RemoteAccessAllowed: false,
      AuthenticationEnabled: false,
      Plugins: [dicomWebPlugin()],
      DicomWeb: {
        Enable: true,
        Root: '/dicom-web/',
        Servers: { vigil: { Url: `${vigil}/dicomweb/`, HttpHeaders: { Authorization: `Bearer ${key.orthanc}` } } },
      },
    };
    const configFile = path.join(workDir, 'orthanc.json');
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    orthanc = spawn(ORTHANC, [configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [orthanc.stdout!, orthanc.stderr!]) stream.on('data', (chunk: Buffer) => orthancLog.push(chunk.toString()));
    orthancUrl = `http://127.0.0.1:${httpPort}`;
    const up = await waitFor(() => fetch(`${orthancUrl}/system`).then((r) => r.ok, () => false), Boolean, 30_000);
    if (!up) throw new Error(`Orthanc did not start:\n${orthancLog.join('')}`);
    events = await collect(bus, [TOPICS.xrayReceived]);
  }, 360_000);
  afterAll(async () => {
    if (orthanc && orthanc.exitCode === null) {
      const exited = new Promise((resolve) => orthanc!.once('exit', resolve));
      orthanc.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (orthanc.exitCode === null) orthanc.kill('SIGKILL');
    }
    await events?.close();
    await stack?.close();
    await admin.close();
    await db?.drop();
    rmSync(workDir, { recursive: true, force: true });
  });

  let studyId = '';
  test('Orthanc stores the instance and its STOW-RS push to Vigil succeeds', async () => {
    const stored = await fetch(`${orthancUrl}/instances`, { method: 'POST', body: chest });
    expect(stored.status).toBe(200);
    const { ID: instanceId } = (await stored.json()) as { ID: string };
    const pushed = await fetch(`${orthancUrl}/dicom-web/servers/vigil/stow`, { method: 'POST', body: JSON.stringify({ Resources: [instanceId] }) });
    // Orthanc checks Vigil's answer: a 2xx whose Referenced SOP Sequence holds every instance sent.
    if (!pushed.ok) throw new Error(`STOW-RS push: ${pushed.status} ${await pushed.text()}\n${orthancLog.join('').slice(-4000)}`);

    const { rows } = await db.pool.query(`SELECT * FROM ingestion.xray_studies WHERE source = 'stow-rs'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ client_name: 'orthanc-router', media_type: 'application/dicom', accession_number: null, patient_ref: null });
    studyId = rows[0].id;
  });

  test('Vigil stored it de-identified: no patient name or id of the original, UIDs re-mapped, the received hash kept', async () => {
    const row = (await db.pool.query('SELECT * FROM ingestion.xray_studies WHERE id = $1', [studyId])).rows[0];
    // Orthanc sends the file as it received it.
    expect(row.received_sha256).toBe(sha256(chest));
    const blob = (await createFileBlobStore(stack.blobDir).get(row.stored_sha256))!;
    expect(blob).not.toBeNull();
    for (const tag of ['x00100010', 'x00100020']) {
      const original = dicomString(chest, tag)!;
      expect(original).toBeTruthy();
      expect(blob.includes(Buffer.from(original))).toBe(false);
    }
    for (const tag of ['x0020000d', 'x0020000e', 'x00080018']) {
      expect(dicomString(blob, tag)).toBe(remapUid(dicomString(chest, tag)!, TEST_UID_SECRET));
    }
    expect(row.study_uid).toBe(dicomString(blob, 'x0020000d'));
    expect(dicomString(blob, 'x00120062')).toBe('YES');
  });

  test('an XrayReceived event announced it on Kafka, without patient data', async () => {
    const message = await waitFor(
      () => events!.received.find((m) => m.value && decodeEvent(TOPICS.xrayReceived, m.value).imageId === studyId),
      Boolean,
      30_000,
    );
    expect(message).toBeDefined();
    expect(message!.key).toBe(studyId);
    const row = (await db.pool.query('SELECT * FROM ingestion.xray_studies WHERE id = $1', [studyId])).rows[0];
    expect(decodeEvent(TOPICS.xrayReceived, message!.value!)).toMatchObject({
      sha256: row.stored_sha256, receivedSha256: sha256(chest), contentType: 'application/dicom', studyUid: row.study_uid, source: 'stow-rs', clientName: 'orthanc-router',
    });
    expect(message!.value!.includes(Buffer.from(dicomString(chest, 'x00100010')!))).toBe(false);
  });

  test('inference predicts it from the event, once, and GET /v1/xray/studies/{id} ends done with the prediction', async () => {
    const get = () => stack.ingestion.inject({ method: 'GET', url: `/v1/xray/studies/${studyId}`, headers: { authorization: `Bearer ${key.orthanc}` } });
    const study = await waitFor(async () => (await get()).json(), (s) => s.status === 'done', 60_000);
    expect(study).toMatchObject({ studyId, status: 'done', source: 'stow-rs', imageSha256: sha256(chest) });
    expect(study.prediction).toMatchObject({
      predictionId: expect.any(String),
      imageSha256: sha256(chest),
      pneumonia: { probability: expect.any(Number), threshold: expect.any(Number), model: { name: 'xray-pneumonia', version: 1 } },
      confidence: expect.stringMatching(/^(high|low)$/),
    });
    expect(study.prediction.alert).toBe(study.prediction.confidence === 'low');
    const audit = (await db.pool.query(`SELECT * FROM inference.predictions WHERE entity_id = $1 AND model_name = 'xray-pneumonia'`, [studyId])).rows;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ client_name: 'orthanc-router', image_sha256: sha256(chest) });
    expect(audit[0].input).toMatchObject({ studyId, format: 'dicom', accessionNumber: null, patientRef: null });
  }, 90_000);
});
