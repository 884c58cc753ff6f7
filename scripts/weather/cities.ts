// The cities shipped with the kit (cities.tsv: GeoNames, CC BY 4.0): what `hakit cluster fill`
// loads, what the key-spread check counts, and what the bench's skewed read mix draws from (by
// population rank: a few big cities are asked for most).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

export interface City {
  name: string;
  country: string;
  population: number;
}

let cached: City[] | undefined;

/** Every shipped city, most populous first. */
export function shippedCities(): City[] {
  cached ??= readFileSync(join(packageRoot, 'scripts', 'weather', 'cities.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [name = '', country = '', population = '0'] = l.split('\t');
      return { name, country, population: Number(population) };
    });
  return cached;
}
