/** The orders `conns --sort` takes, in a module of their own: the command line lists them without loading `conns`. */
export const SORT_KEYS = ['start', 'duration', 'bytes', 'packets', 'state'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
