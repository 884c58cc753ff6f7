// The backends' client of the weather source: one GET, bounded by a timeout; any failure (down,
// slow, an error status) is SourceUnavailable, for the cache to turn into a 503 when it has
// nothing else to give.
import { checkCity, type Observation } from './observation.js';

export class SourceUnavailable extends Error {}

export interface WeatherSource {
  fetch(city: string, date: string): Promise<Observation>;
}

export function httpSource(baseUrl: string, timeoutMs: number): WeatherSource {
  return {
    async fetch(city, date) {
      const url = `${baseUrl}/weather/${encodeURIComponent(city)}?date=${date}`;
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        const e = err as Error;
        throw new SourceUnavailable(`weather source: ${e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : e.message}`);
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new SourceUnavailable(`weather source: HTTP ${res.status}`);
      }
      const body = (await res.json()) as Observation;
      if (typeof body !== 'object' || body === null || checkCity(String(body.city)) || body.date !== date)
        throw new SourceUnavailable('weather source: an answer that is not weather for this city and day');
      return body;
    },
  };
}
