/**
 * Plausible sensor models for simulated devices: the potentiometer of the M-Sec device demo
 * (a 12-bit ADC), air temperature, air quality (PM2.5) and parking occupancy.
 */
import type { DeviceDescription } from './enroll.ts';

export const SENSOR_KINDS = ['potentiometer', 'temperature', 'air-quality', 'parking'] as const;
export type SensorKind = (typeof SENSOR_KINDS)[number];

export interface SensorSample {
  service: string;
  resource: string;
  value: number | boolean;
  unit?: string;
}

export interface Sensor {
  kind: SensorKind;
  describe(deviceId: string, location?: [number, number]): DeviceDescription;
  sample(now: number): SensorSample;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function potentiometer(random: () => number): Sensor {
  let raw = Math.floor(random() * 4096);
  return {
    kind: 'potentiometer',
    describe: (id, location) => ({
      name: `Potentiometer ${id}`,
      type: 'other',
      description: 'analog potentiometer read by a 12-bit ADC (the M-Sec secure device demo)',
      transducers: [
        { name: 'potentiometer', id: 'potentiometer', units: 'raw', minValue: 0, maxValue: 4095, resolution: 1 },
      ],
      ...(location ? { location: { type: 'Point' as const, coordinates: location } } : {}),
    }),
    sample: () => {
      raw = clamp(Math.round(raw + (random() - 0.5) * 200), 0, 4095);
      return { service: 'adc', resource: 'potentiometer', value: raw, unit: 'raw' };
    },
  };
}

function temperature(random: () => number): Sensor {
  return {
    kind: 'temperature',
    describe: (id, location) => ({
      name: `Air temperature ${id}`,
      type: 'outdoor weather',
      transducers: [
        {
          name: 'air temperature',
          id: 'temperature',
          units: 'Cel',
          minValue: -40,
          maxValue: 60,
          resolution: 0.1,
          accuracy: 0.5,
        },
      ],
      ...(location ? { location: { type: 'Point' as const, coordinates: location } } : {}),
    }),
    sample: (now) => {
      // Daily cycle around 18 °C, coolest before dawn, plus sensor noise.
      const hour = (now / 3_600_000) % 24;
      const value = 18 + 6 * Math.sin(((hour - 9) / 24) * 2 * Math.PI) + (random() - 0.5) * 0.6;
      return { service: 'weather', resource: 'temperature', value: round(value, 1), unit: 'Cel' };
    },
  };
}

function airQuality(random: () => number): Sensor {
  let pm = 8 + random() * 20;
  return {
    kind: 'air-quality',
    describe: (id, location) => ({
      name: `Air quality ${id}`,
      type: 'outdoor atmosphere',
      transducers: [
        { name: 'PM2.5', id: 'pm25', units: 'ug/m3', minValue: 0, maxValue: 500, resolution: 0.1, accuracy: 5 },
      ],
      ...(location ? { location: { type: 'Point' as const, coordinates: location } } : {}),
    }),
    sample: () => {
      pm = clamp(pm + (random() - 0.5) * 3 + (15 - pm) * 0.05, 0, 500);
      return { service: 'air', resource: 'pm25', value: round(pm, 1), unit: 'ug/m3' };
    },
  };
}

function parking(random: () => number): Sensor {
  let occupied = random() < 0.5;
  return {
    kind: 'parking',
    describe: (id, location) => ({
      name: `Parking bay ${id}`,
      type: 'occupancy',
      transducers: [{ name: 'bay occupied', id: 'occupied' }],
      ...(location ? { location: { type: 'Point' as const, coordinates: location } } : {}),
    }),
    sample: () => {
      if (random() < 0.1) occupied = !occupied;
      return { service: 'parking', resource: 'occupied', value: occupied };
    },
  };
}

export function createSensor(kind: SensorKind, random: () => number = Math.random): Sensor {
  switch (kind) {
    case 'potentiometer':
      return potentiometer(random);
    case 'temperature':
      return temperature(random);
    case 'air-quality':
      return airQuality(random);
    case 'parking':
      return parking(random);
  }
}
