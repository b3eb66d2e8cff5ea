/** Device-side client of the hub: credentials, enrollment, attestation, the simulator. */
export {
  createDeviceCredential,
  CredentialSource,
  DEVICE_CREDENTIAL_TYPE,
  DEFAULT_HUB_AUDIENCE,
} from './credential.ts';
export { HubClient, type HubResponse } from './hub-client.ts';
export {
  enrollDevice,
  SIGNING_LABEL,
  ATTESTATION_LABEL,
  type DeviceDescription,
  type EnrollOptions,
  type EnrollResult,
} from './enroll.ts';
export { answerAttestation, type AttestOptions, type AttestResult } from './attest.ts';
export { rotateDeviceKey } from './rotate.ts';
export { SENSOR_KINDS, createSensor, type Sensor, type SensorKind, type SensorSample } from './sensors.ts';
export { VirtualDevice } from './virtual-device.ts';
export { MqttDevicePublisher, deviceReadingsTopic } from './mqtt-publisher.ts';
export { runSimulation, progressLine, type SimulationOptions, type SimulationSummary } from './simulator.ts';
