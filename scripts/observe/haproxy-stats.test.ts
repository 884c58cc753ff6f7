import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backendState, parseShowStat, type ServerStat } from './haproxy-stats.js';

// Trimmed from a real HAProxy 2.6 answer: the columns we read keep their real positions, but for
// addr (column 74 there), moved up to the end of this shorter header.
const header =
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,addr';
const csv = [
  header,
  'fe_http,FRONTEND,,,0,1,2000,42,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,1,,,',
  'be_web,backend1,0,0,0,1,,20,0,0,,0,,0,0,1,1,UP,1,1,0,0,0,12,0,,1,3,1,,20,,2,0,,1,L7OK,200,1,10.213.0.21:8080',
  'be_web,backend2,0,0,0,1,,22,0,0,,0,,0,0,0,0,DOWN,1,1,0,1,1,3,3,,1,3,2,,22,,2,0,,1,L4TOUT,,300',
  'be_web,BACKEND,0,0,0,1,200,42,0,0,0,0,,0,0,1,1,UP,1,1,0,,0,100,0,,1,3,0,,42,,1,0,,1,,,',
  '',
].join('\n');

describe('parseShowStat', () => {
  it('reads the columns by name', () => {
    const rows = parseShowStat(csv);
    expect(rows).toHaveLength(4);
    expect(rows[1]).toEqual({
      proxy: 'be_web',
      server: 'backend1',
      status: 'UP',
      checkStatus: 'L7OK',
      checkCode: '200',
      lastChangeS: 12,
      retries: 1,
      redispatches: 1,
      requests: 20,
      addr: '10.213.0.21:8080',
    });
    expect(rows[2]?.status).toBe('DOWN');
    expect(rows[2]?.checkStatus).toBe('L4TOUT');
  });

  // Captured from HAProxy 2.6.12 on loopback (the answer as the socket gave it): backend1 passes
  // its check; backend2 answers 503 with the reason phrase "Draining, back soon", which HAProxy
  // quotes in last_chk, 20 columns before addr.
  const captured = readFileSync(new URL('./haproxy-stats.fixture.csv', import.meta.url), 'utf8');

  it('reads a real answer whose quoted field holds a comma, columns after it included', () => {
    expect(captured).toContain('"Draining, back soon"');
    const rows = parseShowStat(captured);
    expect(rows.map((r) => `${r.proxy}/${r.server}`)).toEqual(['fe_http/FRONTEND', 'be_web/backend1', 'be_web/backend2', 'be_web/BACKEND']);
    expect(rows[1]).toMatchObject({ status: 'UP', checkStatus: 'L7OK', checkCode: '200', addr: '127.0.0.1:18481', requests: 3 });
    expect(rows[2]).toMatchObject({ status: 'DOWN', checkStatus: 'L7STS', checkCode: '503', addr: '127.0.0.1:18482', lastChangeS: 18 });
    expect(backendState(rows[2]!)).toBe('DRAIN');
  });

  it('rejects an answer that is not the CSV', () => {
    expect(() => parseShowStat('Unknown command\n')).toThrow(/show stat/);
  });
});

describe('backendState', () => {
  const row = (status: string, checkCode = ''): ServerStat => ({
    proxy: 'be_web',
    server: 'b',
    status,
    checkStatus: '',
    checkCode,
    lastChangeS: 0,
    retries: 0,
    redispatches: 0,
    requests: 0,
    addr: '',
  });
  it.each([
    ['UP', '', 'UP'],
    ['UP 1/2', '503', 'UP'],
    ['DOWN', '', 'DOWN'],
    ['DOWN 1/2', '', 'DOWN'],
    ['DOWN', '503', 'DRAIN'],
    ['DRAIN', '', 'DRAIN'],
    ['MAINT', '', 'DOWN'],
  ])('%s (check %s) → %s', (status, code, expected) => {
    expect(backendState(row(status, code))).toBe(expected);
  });
});
