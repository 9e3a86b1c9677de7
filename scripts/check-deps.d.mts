export const ALLOWED: Record<string, string[]>;
export function violations(): string[];
