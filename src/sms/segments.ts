/** GSM 03.38 default alphabet: each of these costs one septet. */
const GSM7_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/** GSM 03.38 extension table: each costs two septets (escape + character). */
const GSM7_EXTENDED = "^{}\\[~]|€\f";

const basic = new Set(GSM7_BASIC);
const extended = new Set(GSM7_EXTENDED);

export type Encoding = "GSM-7" | "UCS-2";

export interface SegmentInfo {
  encoding: Encoding;
  segments: number;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
}

const SINGLE = { "GSM-7": 160, "UCS-2": 70 } as const;
const CONCATENATED = { "GSM-7": 153, "UCS-2": 67 } as const;

/**
 * How a carrier will split the body: GSM-7 (160 per SMS, 153 per part when concatenated,
 * extension characters count twice and never straddle parts) unless any character is
 * outside GSM-7, then UCS-2 (70, or 67 per part; a surrogate pair never straddles parts).
 */
export function countSegments(body: string): SegmentInfo {
  if (body.length === 0) return { encoding: "GSM-7", segments: 0, units: 0 };
  let septets = 0;
  let gsm = true;
  for (const c of body) {
    if (basic.has(c)) septets += 1;
    else if (extended.has(c)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  const encoding: Encoding = gsm ? "GSM-7" : "UCS-2";
  const units = gsm ? septets : body.length;
  if (units <= SINGLE[encoding]) return { encoding, segments: 1, units };

  const perPart = CONCATENATED[encoding];
  let segments = 1;
  let used = 0;
  for (const c of body) {
    const width = gsm ? (extended.has(c) ? 2 : 1) : c.length;
    if (used + width > perPart) {
      segments += 1;
      used = 0;
    }
    used += width;
  }
  return { encoding, segments, units };
}
