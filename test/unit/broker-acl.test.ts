// The broker ACL: topic matching, subscription coverage, accounts from the config, mosquitto's file formats.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokerAccounts, clientIdBelongsTo } from '../../central/broker/broker-accounts.ts';
import {
  mosquittoAclFile,
  mosquittoPasswordFile,
  mosquittoPasswordHash,
  verifyMosquittoPassword,
} from '../../central/broker/mosquitto-files.ts';
import { filterCovers, topicMatches, withoutSharePrefix } from '../../central/broker/topic-filter.ts';
import { defaultCentralConfig } from '../../central/config/load.ts';

describe('topicMatches', () => {
  it.each([
    ['matthan/v1/hue-c1/#', 'matthan/v1/hue-c1/cam-1/events', true],
    ['matthan/v1/hue-c1/#', 'matthan/v1/hue-c1', true], // '#' includes the parent level
    ['matthan/v1/hue-c1/#', 'matthan/v1/hue-c2/cam-1/events', false],
    ['matthan/v1/hue-c1/#', 'matthan/v1/hue-c1x/cam/events', false],
    ['matthan/v1/+/+/events', 'matthan/v1/a/b/events', true],
    ['matthan/v1/+/+/events', 'matthan/v1/a/b/c/events', false],
    ['a/b', 'a/b', true],
    ['a/b', 'a/b/c', false],
    ['a/b/c', 'a/b', false],
    ['#', '$SYS/broker', false],
    ['+/broker', '$SYS/broker', false],
    ['$SYS/#', '$SYS/broker', true],
    ['', 'a', false],
    ['a/#/b', 'a/x/b', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe('filterCovers', () => {
  it.each([
    ['matthan/v1/+/+/events', 'matthan/v1/+/+/events', true],
    ['matthan/v1/+/+/events', 'matthan/v1/hue-c1/+/events', true],
    ['matthan/v1/+/+/events', 'matthan/v1/hue-c1/cam-1/events', true],
    ['matthan/v1/+/+/events', 'matthan/v1/#', false],
    ['matthan/v1/+/+/events', 'matthan/v1/+/+/+', false],
    ['matthan/v1/+/+/events', '#', false],
    ['junction/7/signal', 'junction/7/signal', true],
    ['junction/7/signal', 'junction/7/+', false],
    ['junction/7/signal', 'junction/#', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/#', true],
    ['a/+', 'a/+/c', false],
    ['#', '$SYS/#', false],
    ['$SYS/#', '$SYS/broker/x', true],
  ])('%s covers %s: %s', (allowed, requested, expected) => {
    expect(filterCovers(allowed, requested)).toBe(expected);
  });

  it.each([
    ['$share/central/matthan/v1/+/+/events', 'matthan/v1/+/+/events'],
    ['$share/g', ''],
    ['matthan/v1/#', 'matthan/v1/#'],
  ])('withoutSharePrefix(%s) = %s', (filter, plain) => {
    expect(withoutSharePrefix(filter)).toBe(plain);
  });

  it.each([
    ['box-1', 'box-1', true],
    ['box-1.session-2', 'box-1', true],
    ['box-10', 'box-1', false],
    ['box-1x', 'box-1', false],
    ['matthan-central-host', 'matthan-central', false],
    ['', 'box-1', false],
  ])('client id %j belongs to %s: %s', (clientId, user, expected) => {
    expect(clientIdBelongsTo(clientId, user)).toBe(expected);
  });
});

const config = defaultCentralConfig({
  broker: { username: 'central-1', password: 'p'.repeat(20) },
  edges: [
    { name: 'box-a', site: 'site-a', token: 'ta'.repeat(10), mqttPassword: 'pa'.repeat(10) },
    { name: 'box-z', site: 'site-z', token: 'tz'.repeat(10), mqttPassword: 'pz'.repeat(10) },
  ],
  signalControllers: [
    { name: 'ctl-a', site: 'site-a', topics: ['junction/7/signal'], mqttPassword: 'c'.repeat(20) },
  ],
});

describe('brokerAccounts', () => {
  const accounts = brokerAccounts(config, 'central-secret');
  const by = (u: string) => accounts.find((a) => a.username === u)!;
  it('central reads events and status of every site and publishes only its acknowledgements', () => {
    expect(by('central-1')).toMatchObject({
      kind: 'central',
      password: 'central-secret',
      publish: ['matthan/v1/_central/+/acks'],
      subscribe: ['matthan/v1/+/+/events', 'matthan/v1/+/+/status'],
    });
  });
  it("the broker check's probe has a login of its own that reads only its topic and the broker version", () => {
    expect(by('central-1-probe')).toMatchObject({
      kind: 'probe',
      publish: [],
      subscribe: ['matthan/v1/_central/_probe/acks', '$SYS/broker/version'],
    });
    expect(by('central-1-probe').password).not.toBe('central-secret');
    expect(by('central-1-probe').password.length).toBeGreaterThan(40);
  });
  it('a box publishes under its own site only and reads its site controllers', () => {
    expect(by('box-a')).toMatchObject({
      publish: ['matthan/v1/site-a/#'],
      subscribe: ['matthan/v1/_central/site-a/acks', 'junction/7/signal'],
    });
    expect(by('box-z')).toMatchObject({
      publish: ['matthan/v1/site-z/#'],
      subscribe: ['matthan/v1/_central/site-z/acks'],
    });
  });
  it('a controller publishes its topics and reads nothing', () => {
    expect(by('ctl-a')).toMatchObject({ kind: 'signal', publish: ['junction/7/signal'], subscribe: [] });
  });
});

describe('mosquitto files', () => {
  it.each([
    [
      'secret',
      'aLJtotcDpYu/h1Kb',
      'oyoZFCSshD5wHVYm43tarSG3PS5r9admpLzsA5nVAbpyujak2XRDPYjuyyh92IkEzK+u1LSCFYinrzSf6rCvPA==',
    ],
  ])('hashes %j as mosquitto_passwd 2.0.11 did (salt %s)', (password, salt, key) => {
    expect(mosquittoPasswordHash(password, Buffer.from(salt, 'base64'))).toBe(`$7$101$${salt}$${key}`);
  });

  it('verifies what mosquitto_passwd writes, and refuses a wrong password', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'matthan-pw-'));
    const file = path.join(dir, 'pw');
    execFileSync('mosquitto_passwd', ['-c', '-b', file, 'alice', 'näive pässword']);
    const hash = readFileSync(file, 'utf8').trim().split(':').slice(1).join(':');
    expect(verifyMosquittoPassword('näive pässword', hash)).toBe(true);
    expect(verifyMosquittoPassword('naive password', hash)).toBe(false);
    expect(verifyMosquittoPassword('x', 'not-a-hash')).toBe(false);
  });

  it('writes one line per account and one ACL block per user, nothing for anonymous', () => {
    const accounts = brokerAccounts(config, 'central-secret');
    const pw = mosquittoPasswordFile(accounts).trim().split('\n');
    expect(pw.map((l) => l.split(':')[0])).toEqual([
      'central-1',
      'central-1-probe',
      'box-a',
      'box-z',
      'ctl-a',
    ]);
    const boxA = pw.find((l) => l.startsWith('box-a:'))!.slice('box-a:'.length);
    expect(verifyMosquittoPassword('pa'.repeat(10), boxA)).toBe(true);
    const acl = mosquittoAclFile(accounts, 'central.yaml');
    const beforeFirstUser = acl.slice(0, acl.indexOf('\nuser '));
    expect(beforeFirstUser).not.toMatch(/^topic/m);
    expect(acl).toContain(
      'user box-a\ntopic write matthan/v1/site-a/#\ntopic read matthan/v1/_central/site-a/acks\ntopic read junction/7/signal\n',
    );
    // A box can never publish an acknowledgement: '_central' is no site.
    expect(topicMatches('matthan/v1/site-a/#', 'matthan/v1/_central/site-a/acks')).toBe(false);
    expect(acl).toContain('user ctl-a\ntopic write junction/7/signal\n');
    expect(acl).toContain(
      'user central-1\ntopic write matthan/v1/_central/+/acks\ntopic read matthan/v1/+/+/events\ntopic read matthan/v1/+/+/status\n',
    );
  });

  it.each([['bad\nuser'], ['a:b'], ['']])('refuses to write username %j (it would forge a line)', (name) => {
    expect(() =>
      mosquittoPasswordFile([{ username: name, password: 'x', kind: 'edge', publish: [], subscribe: [] }]),
    ).toThrow('cannot be written');
  });
});
