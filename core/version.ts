// The version recorded in rrfiles (informational: compatibility is the format version's job).
export const VERSION = '0.1.0';
