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
