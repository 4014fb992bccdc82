const QUANTITY = /^([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/**
 * Multiplies a Kubernetes quantity (as the config schema allows them: `500m`, `2`, `1Gi`) by a
 * whole number, keeping its unit: `500m` × 3 is `1500m`.
 */
export function multiplyQuantity(quantity: string, factor: number): string {
  const match = QUANTITY.exec(quantity);
  if (match === null) throw new Error(`not a quantity: ${quantity}`);
  const value = Number(match[1]) * factor;
  // Round away floating-point noise (0.1 × 3), keeping up to 6 decimals.
  const text = String(Math.round(value * 1e6) / 1e6);
  return `${text}${match[2] ?? ''}`;
}

/**
 * Whole CPUs in a CPU quantity, rounded up, at least 1: `500m` is 1, `2` is 2, `2500m` is 3.
 * The detector runs one inference thread per CPU it is given.
 */
export function wholeCpus(quantity: string): number {
  const match = QUANTITY.exec(quantity);
  if (match === null) throw new Error(`not a quantity: ${quantity}`);
  const cores = Number(match[1]) / (match[2] === 'm' ? 1000 : 1);
  return Math.max(1, Math.ceil(cores - 1e-9));
}
