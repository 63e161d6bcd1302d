/**
 * A minimal `.vsix` for tests, without `@vscode/vsce`: a zip whose `extension/` folder holds the
 * given files of an extension. VS Code's `--install-extension` needs no more than that (it reads
 * `extension/package.json`); a real package for users still comes from `vsce package`.
 *
 *   packVsix('/abs/extension', ['package.json', 'extension.js', 'dist/main.js'], '/tmp/x.vsix');
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

/** Writes `outFile`: each of `files` (relative to `extensionDir`) as `extension/<file>`, deflated. */
export function packVsix(extensionDir: string, files: string[], outFile: string): string {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const dosDate = (1 << 5) | 1; // 1980-01-01: fixed, so the same inputs give the same bytes
  for (const file of files) {
    const name = Buffer.from(`extension/${file.split(path.sep).join('/')}`, 'utf8');
    const data = fs.readFileSync(path.join(extensionDir, file));
    const packed = zlib.deflateRawSync(data);
    const crc = zlib.crc32(data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // extra length
    parts.push(local, name, packed);

    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // made by
    entry.writeUInt16LE(20, 6); // needed
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt16LE(0, 12);
    entry.writeUInt16LE(dosDate, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(packed.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    // extra, comment, disk, internal and external attributes: all 0
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);

    offset += local.length + name.length + packed.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, Buffer.concat([...parts, ...central, end]));
  return outFile;
}
