// stele's in-browser verifier.
//
// With nothing but the browser's own WebCrypto, it checks what a stele site
// publishes, fetching objects from the site that served the page:
//
//   - a log's checkpoint (a C2SP signed note): its Ed25519 signature under
//     the log's verifier key, the one the page shows or one the visitor
//     pastes;
//   - the tree: the checkpoint's root hash, recomputed from the log's hash
//     tiles (C2SP tlog-tiles, RFC 6962 hashing with SHA-256);
//   - one record: its entry, read from the entry bundle, must have the leaf
//     hash the page shows, and an inclusion proof built from the hash tiles
//     must lead to the checkpoint's root; a signed record's Plexi signature
//     must verify under the same key.
//
// The outcome is written to an <output> element as
// data-verify-status="ok" or "failed", with a message naming what failed.
// The script also turns absolute times into ages and marks stale logs.
'use strict';

(function () {
  const WIDTH = 256; // hashes in a full tile, entries in a full bundle
  const utf8 = new TextEncoder();

  // VerifyError is a check that failed (or an object that could not be
  // fetched); its message is shown to the visitor as is.
  class VerifyError extends Error {}
  function fail(message) { throw new VerifyError(message); }

  // ---- bytes ----

  function fromBase64(s, what) {
    let bin;
    try { bin = atob(s); } catch (e) { fail(what + ' is not valid base64'); }
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }
  function fromHex(s, what) {
    if (typeof s !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(s)) fail(what + ' is not lower-case hexadecimal');
    const out = new Uint8Array(s.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
    return out;
  }
  function toHex(b) { return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''); }
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }
  function equal(a, b) { return a.length === b.length && a.every((x, i) => x === b[i]); }

  // ---- hashes and signatures (WebCrypto) ----

  function subtle() {
    if (!window.crypto || !crypto.subtle) fail('this page needs a secure context (https or localhost) for WebCrypto');
    return crypto.subtle;
  }
  async function sha256(...parts) {
    return new Uint8Array(await subtle().digest('SHA-256', concat(...parts)));
  }
  const leafHash = (entry) => sha256(Uint8Array.of(0), entry); // RFC 6962
  const nodeHash = (l, r) => sha256(Uint8Array.of(1), l, r);

  async function ed25519Verify(pub, sig, msg) {
    let key;
    try {
      key = await subtle().importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
    } catch (e) {
      fail('this browser cannot check Ed25519 signatures (' + e.message + ')');
    }
    return subtle().verify({ name: 'Ed25519' }, key, sig, msg);
  }

  // ---- keys (golang.org/x/mod/sumdb/note verifier keys) ----

  async function keyHash(name, pub) {
    return (await sha256(utf8.encode(name + '\n'), Uint8Array.of(1), pub)).slice(0, 4);
  }

  // parseKey reads "<name>+<hash>+<base64(0x01 || public key)>".
  async function parseKey(text) {
    // The name holds no '+'; the base64 may.
    const m = /^([^+]+)\+([^+]*)\+(.*)$/.exec(text.trim());
    if (!m) fail('the verifier key is not of the form <name>+<hash>+<base64>');
    const [, name, hash, b64] = m;
    if (!/^[0-9a-f]{8}$/.test(hash)) fail('the verifier key\'s hash is not 8 hexadecimal digits');
    const raw = fromBase64(b64, 'the verifier key');
    if (raw.length !== 33 || raw[0] !== 1) fail('the verifier key is not an Ed25519 key');
    const pub = raw.slice(1);
    if (toHex(await keyHash(name, pub)) !== hash) fail('the verifier key\'s hash does not match its name and public key');
    return { name, pub };
  }

  // keyFor is the key a log with this origin is signed under: the key's own
  // name, or a log below it (<name>/<namespace>) with the same public key.
  async function keyFor(key, origin) {
    if (key.name !== origin && !origin.startsWith(key.name + '/')) {
      fail('the verifier key ' + key.name + ' does not cover the log ' + origin);
    }
    return { name: origin, pub: key.pub, hash: await keyHash(origin, key.pub) };
  }

  // ---- checkpoints (C2SP tlog-checkpoint in a C2SP signed note) ----

  async function openCheckpoint(bytes, origin, key) {
    let text;
    try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch (e) { fail('the checkpoint is not UTF-8'); }
    const split = text.indexOf('\n\n');
    if (split < 0 || !text.endsWith('\n')) fail('the checkpoint is not a signed note');
    const body = text.slice(0, split + 1);
    const lines = body.slice(0, -1).split('\n');
    if (lines.length < 3) fail('the checkpoint has fewer than three lines');
    if (lines[0] !== origin) fail('the checkpoint\'s origin is "' + lines[0] + '", expected "' + origin + '"');
    if (!/^(?:0|[1-9][0-9]*)$/.test(lines[1]) || !Number.isSafeInteger(Number(lines[1]))) fail('the checkpoint\'s tree size is malformed');
    const root = fromBase64(lines[2], 'the checkpoint\'s root hash');
    if (root.length !== 32) fail('the checkpoint\'s root hash is not 32 bytes');
    const k = await keyFor(key, origin);
    const keyName = origin + '+' + toHex(k.hash);
    let signed = false;
    for (const line of text.slice(split + 2).split('\n')) {
      if (line === '') continue;
      const m = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!m) fail('the checkpoint has a malformed signature line');
      if (m[1] !== origin) continue;
      const sig = fromBase64(m[2], 'a checkpoint signature');
      if (sig.length !== 68 || !equal(sig.subarray(0, 4), k.hash)) continue;
      if (!(await ed25519Verify(k.pub, sig.subarray(4), utf8.encode(body)))) {
        fail('the checkpoint\'s signature by ' + keyName + ' does not verify');
      }
      signed = true;
    }
    if (!signed) fail('the checkpoint carries no signature by ' + keyName);
    return { size: Number(lines[1]), root, keyName };
  }

  // ---- the site ----

  // Site fetches objects relative to the site root, from the page's own
  // origin only.
  class Site {
    constructor(root) { this.root = root; }
    url(key) { return new URL(this.root + key, document.baseURI).href; }
    // get returns the object's bytes, or null when it is absent (404).
    async get(key) {
      let resp;
      try {
        resp = await fetch(this.url(key), { credentials: 'omit' });
      } catch (e) {
        fail('could not fetch ' + key + ': ' + e.message);
      }
      if (resp.status === 404) return null;
      if (!resp.ok) fail('could not fetch ' + key + ': HTTP ' + resp.status);
      return new Uint8Array(await resp.arrayBuffer());
    }
    async must(key) {
      const b = await this.get(key);
      if (b === null) fail(key + ' is missing (HTTP 404)');
      return b;
    }
  }

  // tileIndex writes a tile number as C2SP does: three-digit groups, all
  // but the last prefixed with x (1234067 -> x001/x234/067).
  function tileIndex(n) {
    let s = String(n % 1000).padStart(3, '0');
    for (n = Math.floor(n / 1000); n > 0; n = Math.floor(n / 1000)) {
      s = 'x' + String(n % 1000).padStart(3, '0') + '/' + s;
    }
    return s;
  }
  function tilePath(level, n, width) {
    return 'tile/' + level + '/' + tileIndex(n) + (width < WIDTH ? '.p/' + width : '');
  }

  // Log reads one log's objects under its prefix (logs/<ns>/).
  class Log {
    constructor(site, name, origin) {
      this.site = site;
      this.prefix = 'logs/' + name + '/';
      this.origin = origin;
      this.tiles = new Map();
    }

    async checkpoint(key) {
      const cp = await openCheckpoint(await this.site.must(this.prefix + 'checkpoint'), this.origin, key);
      this.size = cp.size;
      return cp;
    }

    // fetchWithFallback reads a tile at its width for the current size,
    // falling back to the full tile when the partial one is gone.
    async fetchWithFallback(level, n, width) {
      let data = await this.site.get(this.prefix + tilePath(level, n, width));
      if (data === null && width < WIDTH) {
        data = await this.site.get(this.prefix + tilePath(level, n, WIDTH));
        if (data !== null) data = { full: data };
      }
      if (data === null) fail(this.prefix + tilePath(level, n, width) + ' is missing (HTTP 404)');
      return data;
    }

    // hashTile is tile n of level L (hashes of tree level 8L) at the width
    // the tree of this.size has, each fetched once.
    hashTile(L, n, width) {
      const path = tilePath(L, n, width);
      if (!this.tiles.has(path)) {
        this.tiles.set(path, (async () => {
          let data = await this.fetchWithFallback(L, n, width);
          if (data.full) {
            if (data.full.length !== WIDTH * 32) fail(this.prefix + tilePath(L, n, WIDTH) + ' is not ' + WIDTH * 32 + ' bytes');
            data = data.full.slice(0, width * 32);
          }
          if (data.length !== width * 32) fail(this.prefix + path + ' is ' + data.length + ' bytes, expected ' + width * 32);
          return data;
        })());
      }
      return this.tiles.get(path);
    }

    // subtree is the hash of the complete subtree of count leaves (a power
    // of two) from leaf start (a multiple of count), from the one tile that
    // holds its hashes at the nearest stored level below it.
    async subtree(start, count) {
      let height = 0;
      while (2 ** height < count) height++;
      const L = Math.floor(height / 8);
      const unit = WIDTH ** L; // leaves per hash at level 8L
      const first = start / unit;
      const n = Math.floor(first / WIDTH);
      const width = Math.min(WIDTH, Math.floor(this.size / unit) - n * WIDTH);
      const tile = await this.hashTile(L, n, width);
      let hs = [];
      for (let j = first % WIDTH; j < first % WIDTH + count / unit; j++) hs.push(tile.subarray(32 * j, 32 * j + 32));
      while (hs.length > 1) {
        const pairs = [];
        for (let j = 0; j < hs.length; j += 2) pairs.push(nodeHash(hs[j], hs[j + 1]));
        hs = await Promise.all(pairs);
      }
      return hs[0];
    }

    // range is RFC 6962's MTH of leaves [lo, hi), where lo is a multiple of
    // the largest power of two below hi - lo (as every range the recursion
    // from [0, size) visits is).
    async range(lo, hi) {
      const n = hi - lo;
      if ((n & (n - 1)) === 0 && lo % n === 0) return this.subtree(lo, n);
      const k = splitPoint(n);
      const [l, r] = await Promise.all([this.range(lo, lo + k), this.range(lo + k, hi)]);
      return nodeHash(l, r);
    }

    // rootWith is the root of [lo, hi) with leaf i's hash taken as leaf
    // rather than from the tiles: an RFC 6962 inclusion proof whose
    // siblings come from the hash tiles.
    async rootWith(lo, hi, i, leaf) {
      if (hi - lo === 1) return leaf;
      const k = splitPoint(hi - lo);
      if (i < lo + k) return nodeHash(await this.rootWith(lo, lo + k, i, leaf), await this.range(lo + k, hi));
      return nodeHash(await this.range(lo, lo + k), await this.rootWith(lo + k, hi, i, leaf));
    }

    // bundle returns the entries of entry bundle n at the current size.
    async bundle(n) {
      const width = Math.min(WIDTH, this.size - n * WIDTH);
      const path = this.prefix + 'tile/entries/' + tileIndex(n) + (width < WIDTH ? '.p/' + width : '');
      let data = await this.site.get(path);
      if (data === null && width < WIDTH) data = await this.site.get(this.prefix + 'tile/entries/' + tileIndex(n));
      if (data === null) fail(path + ' is missing (HTTP 404)');
      if (data[0] === 0x1f && data[1] === 0x8b) data = await gunzipOr(data);
      const entries = [];
      for (let p = 0; p < data.length && entries.length < width;) {
        if (p + 2 > data.length) fail(path + ' is truncated');
        const len = (data[p] << 8) | data[p + 1];
        if (p + 2 + len > data.length) fail(path + ' is truncated');
        entries.push(data.subarray(p + 2, p + 2 + len));
        p += 2 + len;
      }
      if (entries.length < width) fail(path + ' holds ' + entries.length + ' entries, expected ' + width);
      return { path, entries };
    }

    // checkTree recomputes the root hash from the tiles.
    async checkTree(cp) {
      if (cp.size === 0) return;
      const root = await this.range(0, cp.size);
      if (!equal(root, cp.root)) {
        fail('the hash tiles of ' + this.prefix + ' (' + this.fetchedTiles() + ') do not hash to the checkpoint\'s root: a tile is corrupt');
      }
    }

    fetchedTiles() { return Array.from(this.tiles.keys()).join(', '); }
  }

  // splitPoint is the largest power of two smaller than n (n > 1).
  function splitPoint(n) {
    let k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }

  // gunzipOr decompresses a bundle a host served without decoding it; a
  // plain bundle that merely starts with the gzip magic is returned as is.
  async function gunzipOr(data) {
    try {
      const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream('gzip'));
      return new Uint8Array(await new Response(stream).arrayBuffer());
    } catch (e) {
      return data;
    }
  }

  // ---- Plexi signatures ----

  function varint(v) {
    const out = [];
    for (; v >= 0x80n; v >>= 7n) out.push(Number(v & 0x7fn) | 0x80);
    out.push(Number(v));
    return Uint8Array.from(out);
  }
  function u64le(v) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, true);
    return b;
  }

  // plexiMessage is the byte string Plexi signs for (ciphersuite,
  // namespace, timestamp, epoch, digest): protobuf for ciphersuite 1,
  // bincode's legacy layout for 2.
  function plexiMessage(cs, namespace, timestamp, epoch, digest) {
    const ns = utf8.encode(namespace);
    if (cs === 1) {
      const inner = concat(Uint8Array.of(0x08), varint(epoch));
      return concat(Uint8Array.of(0x08), varint(1n), Uint8Array.of(0x12), varint(BigInt(ns.length)), ns,
        Uint8Array.of(0x18), varint(timestamp), Uint8Array.of(0x22), varint(BigInt(inner.length)), inner,
        Uint8Array.of(0x2a, 0x20), digest);
    }
    if (cs === 2) {
      const head = new Uint8Array(4);
      new DataView(head.buffer).setUint32(0, 2, true);
      return concat(head, u64le(BigInt(ns.length)), ns, u64le(timestamp), u64le(epoch), u64le(32n), digest);
    }
    fail('unknown Plexi ciphersuite ' + cs);
  }

  function bigField(v, what) {
    if (!Number.isSafeInteger(v) || v < 0) fail('the record\'s ' + what + ' is not an integer this check can handle');
    return BigInt(v);
  }

  async function checkPlexi(rec, pub) {
    const s = rec.signature;
    if (s.key_id !== undefined && s.key_id !== pub[31]) fail('the record\'s Plexi signature names key_id ' + s.key_id + ', not this key');
    const msg = plexiMessage(s.ciphersuite, rec.namespace, bigField(s.timestamp, 'timestamp'),
      bigField(rec.epoch, 'epoch'), fromHex(rec.digest, 'the record\'s digest'));
    if (!(await ed25519Verify(pub, fromHex(s.signature, 'the Plexi signature'), msg))) {
      fail('the record\'s Plexi signature of epoch ' + rec.epoch + ' does not verify under the key');
    }
  }

  // ---- the checks a page offers ----

  async function verifyEntry(log, key, el) {
    const i = Number(el.dataset.entry);
    const epoch = el.dataset.epoch;
    const cp = await log.checkpoint(key);
    if (i >= cp.size) fail('the checkpoint (size ' + cp.size + ') does not include entry ' + i + ' yet');
    const n = Math.floor(i / WIDTH);
    const b = await log.bundle(n);
    const entry = b.entries[i - n * WIDTH];
    const leaf = await leafHash(entry);
    if (toHex(leaf) !== el.dataset.leaf) {
      fail('entry ' + i + ' in ' + b.path + ' is not the record this page shows (its leaf hash is ' + toHex(leaf) + ')');
    }
    const width = Math.min(WIDTH, cp.size - n * WIDTH);
    if (!equal(await log.subtree(i, 1), leaf)) {
      fail('the hash tile ' + log.prefix + tilePath(0, n, width) + ' holds another hash for entry ' + i);
    }
    if (!equal(await log.rootWith(0, cp.size, i, leaf), cp.root)) {
      fail('the inclusion proof of entry ' + i + ' from the hash tiles (' + log.fetchedTiles() + ') does not lead to the checkpoint\'s root: a tile is corrupt');
    }
    await log.checkTree(cp);
    let rec;
    try { rec = JSON.parse(new TextDecoder().decode(entry)); } catch (e) { fail('entry ' + i + ' is not JSON'); }
    if (String(rec.epoch) !== epoch) fail('entry ' + i + ' is about epoch ' + rec.epoch + ', not ' + epoch);
    let plexi = '';
    if (rec.signature) {
      await checkPlexi(rec, key.pub);
      plexi = ', and its Plexi signature verifies';
    }
    return 'Epoch ' + epoch + ' (entry ' + i + ') is in the log: the checkpoint of size ' + cp.size +
      ' is signed by ' + cp.keyName + ', the inclusion proof from the hash tiles leads to its root' + plexi + '.';
  }

  async function verifyLog(log, key) {
    const cp = await log.checkpoint(key);
    await log.checkTree(cp);
    return log.origin + ': checkpoint of size ' + cp.size + ' signed by ' + cp.keyName + '; its root hash matches the hash tiles.';
  }

  // ---- the page ----

  const STORE = 'stele-trusted-key';

  // trustedKey is the key the visitor pasted (remembered for the site's
  // other pages), or null to use the key each log's page supplies.
  function trustedKey() {
    const input = document.getElementById('trusted-key');
    const pasted = input ? input.value.trim() : '';
    try {
      if (pasted !== '') localStorage.setItem(STORE, pasted);
      else localStorage.removeItem(STORE);
    } catch (e) { /* storage disabled */ }
    return pasted === '' ? null : pasted;
  }

  function show(out, status, message) {
    out.textContent = message;
    out.dataset.verifyStatus = status;
  }

  // run performs the check a button offers: "entry" checks the record
  // around the button, "logs" every log on the page.
  async function run(button) {
    const out = button.closest('[data-verify-scope]').querySelector('output.verify-result');
    const site = new Site(document.body.dataset.root || '');
    const pasted = trustedKey();
    const logs = button.dataset.verify === 'entry' ? [button.closest('[data-log]')] : document.querySelectorAll('[data-log]');
    button.disabled = true;
    show(out, 'running', 'Checking\u2026');
    try {
      const messages = [];
      for (const el of logs) {
        const key = await parseKey(pasted || el.dataset.vkey);
        const log = new Log(site, el.dataset.log, el.dataset.origin);
        if (button.dataset.verify === 'entry') {
          messages.push(await verifyEntry(log, key, button.closest('[data-entry]')));
        } else {
          messages.push(await verifyLog(log, key));
        }
      }
      const note = pasted
        ? ' Checked with the key you supplied.'
        : ' Checked with the key this page supplies: that shows the site is consistent, not that it is authentic. Paste a key you trust to check that.';
      show(out, 'ok', 'Verified. ' + messages.join(' ') + note);
    } catch (e) {
      show(out, 'failed', 'Verification failed: ' + (e instanceof VerifyError ? e.message : 'unexpected error: ' + e));
    } finally {
      button.disabled = false;
    }
  }

  // ---- ages and staleness ----

  function age(ms) {
    let s = Math.round((Date.now() - ms) / 1000);
    if (s < 0) return 'in the future';
    for (const [unit, size] of [['day', 86400], ['hour', 3600], ['minute', 60]]) {
      if (s >= size) {
        const n = Math.floor(s / size);
        return n + ' ' + unit + (n === 1 ? '' : 's') + ' ago';
      }
    }
    return s + ' second' + (s === 1 ? '' : 's') + ' ago';
  }

  function refreshTimes() {
    for (const t of document.querySelectorAll('time[data-ms]')) {
      let span = t.nextElementSibling;
      if (!span || !span.classList.contains('age')) {
        span = document.createElement('span');
        span.className = 'age';
        t.after(span);
      }
      span.textContent = ' (' + age(Number(t.dataset.ms)) + ')';
    }
    for (const s of document.querySelectorAll('.status[data-last-ms]')) {
      const last = Number(s.dataset.lastMs);
      const stale = s.dataset.status === 'online' && last > 0 && Date.now() - last > Number(s.dataset.staleMs);
      s.classList.toggle('s-stale', stale);
      s.textContent = stale ? 'stale' : s.dataset.status;
      s.title = stale ? 'no epoch verified since ' + age(last) : '';
    }
  }

  function init() {
    const root = document.body.dataset.root || '';
    if (location.protocol === 'http:' || location.protocol === 'https:') {
      const url = new URL(root || './', location.href).href.replace(/\/$/, '');
      for (const el of document.querySelectorAll('[data-site-url]')) el.textContent = url;
    }
    const input = document.getElementById('trusted-key');
    if (input) {
      try { input.value = localStorage.getItem(STORE) || ''; } catch (e) { /* private mode */ }
    }
    for (const b of document.querySelectorAll('button[data-verify]')) {
      b.hidden = false;
      b.addEventListener('click', () => run(b));
    }
    for (const el of document.querySelectorAll('.js-only')) el.hidden = false;
    refreshTimes();
    setInterval(refreshTimes, 30000);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
