/** LINKTYPE_* values (https://www.tcpdump.org/linktypes.html) the decoders know, and names for all common ones. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  IEEE802_11: 105,
  LOOP: 108,
  LINUX_SLL: 113,
  IEEE802_11_RADIOTAP: 127,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

const NAMES: Record<number, string> = {
  0: 'null',
  1: 'ether',
  6: 'ieee802',
  9: 'ppp',
  10: 'fddi',
  12: 'rawip-bsd',
  14: 'rawip-openbsd',
  50: 'ppp-hdlc',
  51: 'pppoe',
  101: 'rawip',
  104: 'c-hdlc',
  105: 'ieee-802-11',
  108: 'loop',
  113: 'linux-sll',
  119: 'prism',
  127: 'ieee-802-11-radiotap',
  143: 'docsis',
  147: 'user0',
  182: 'mtp2-with-phdr',
  192: 'ppi',
  195: 'ieee-802-15-4',
  197: 'erf',
  201: 'bluetooth-hci-h4-with-phdr',
  220: 'usb-linux-mmapped',
  228: 'ipv4',
  229: 'ipv6',
  231: 'dbus',
  249: 'netlink',
  276: 'linux-sll2',
};

/** Short name of a link type, as capinfos prints it (`ether`, `linux-sll`, ...), or `linktype-N`. */
export function linkTypeName(lt: number): string {
  return NAMES[lt] ?? `linktype-${lt}`;
}
