/**
 * Which labels are top-level domains, for the warning about a relative target that was
 * meant to be absolute (lib/zones/lint/records.ts). Every country-code TLD (the
 * two-letter ASCII TLDs of the root zone) and the generic TLDs that customers' targets
 * commonly end in; a target ending in a rarer TLD simply gets no warning.
 *
 * Kept small on purpose: pre-receive loads it on every push.
 *
 * @module
 */

const COUNTRY_CODES =
  "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs " +
  "bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec " +
  "ee eg er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy " +
  "hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz " +
  "la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx " +
  "my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re " +
  "ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th " +
  "tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt zm zw";

const GENERIC = "com net org edu gov mil int arpa info biz name pro mobi asia tel travel jobs " +
  "aero coop museum app dev page blog cloud online site website store shop tech xyz top club " +
  "email link digital agency host software systems solutions services network media studio " +
  "design company wiki";

const TLDS = new Set(`${COUNTRY_CODES} ${GENERIC}`.split(" "));

/**
 * Tells whether a lower-case label is a top-level domain of the embedded list.
 *
 * @example
 * ```ts
 * isTopLevelDomain("io"); // true
 * isTopLevelDomain("sub"); // false
 * ```
 */
export function isTopLevelDomain(label: string): boolean {
  return TLDS.has(label);
}
