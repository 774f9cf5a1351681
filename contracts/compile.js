#!/usr/bin/env node
// Compiles the OpenGrid contracts with the pinned solc-js (standard JSON input) and writes one artifact per
// contract (ABI + creation bytecode) plus manifest.json holding the source hash that the stale-artifact test
// recomputes. Usage: cd contracts && npm ci && node compile.js
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const solc = require('solc');

const root = __dirname;
const outputs = {
  '': path.join(root, '..', 'src', 'OpenGrid.Chain', 'Artifacts'),            // production contracts
  'test/': path.join(root, '..', 'tests', 'OpenGrid.Chain.Tests', 'Artifacts'), // test-only contracts
};
const settings = {
  evmVersion: 'cancun',
  optimizer: { enabled: true, runs: 200 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
};

// The files whose content decides the artifacts. Keep in sync with ArtifactFreshnessTests (C#).
function hashedInputs() {
  const sol = (dir) => fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.sol')).map((f) => dir + f);
  return ['compile.js', 'package-lock.json', ...sol(''), ...sol('test/')].sort();
}

// sha256 over "relpath\n<sha256 hex of content>\n" for each input, in ordinal order.
function sourceHash() {
  const h = crypto.createHash('sha256');
  for (const rel of hashedInputs()) {
    const content = fs.readFileSync(path.join(root, rel));
    h.update(`${rel}\n${crypto.createHash('sha256').update(content).digest('hex')}\n`);
  }
  return h.digest('hex');
}

function findImports(importPath) {
  const file = path.join(root, 'node_modules', importPath);
  if (importPath.startsWith('@openzeppelin/') && fs.existsSync(file)) return { contents: fs.readFileSync(file, 'utf8') };
  return { error: `not found: ${importPath} (run: cd contracts && npm ci)` };
}

function main() {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const pinned = lock.packages['node_modules/solc'].version;
  if (!solc.version().startsWith(pinned + '+')) throw new Error(`solc ${solc.version()} is not the pinned ${pinned}; run npm ci`);

  const sources = {};
  for (const rel of hashedInputs().filter((f) => f.endsWith('.sol'))) {
    sources[rel] = { content: fs.readFileSync(path.join(root, rel), 'utf8') };
  }
  const output = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings }), { import: findImports }));
  const problems = (output.errors || []).filter((e) => e.severity === 'error' || e.type === 'Warning');
  for (const e of problems) console.error(e.formattedMessage);
  if (problems.some((e) => e.severity === 'error') || problems.length) process.exit(1);

  const written = [];
  for (const [sourceName, contracts] of Object.entries(output.contracts)) {
    if (sourceName.startsWith('@openzeppelin/')) continue;
    const outDir = sourceName.startsWith('test/') ? outputs['test/'] : outputs[''];
    fs.mkdirSync(outDir, { recursive: true });
    for (const [contractName, c] of Object.entries(contracts)) {
      const artifact = { contractName, sourceName, abi: c.abi, bytecode: '0x' + c.evm.bytecode.object };
      fs.writeFileSync(path.join(outDir, `${contractName}.json`), JSON.stringify(artifact, null, 2) + '\n');
      written.push(contractName);
    }
  }
  const manifest = {
    solc: solc.version(),
    openzeppelin: lock.packages['node_modules/@openzeppelin/contracts'].version,
    settings: { evmVersion: settings.evmVersion, optimizer: settings.optimizer },
    sourceHash: sourceHash(),
    contracts: written.sort(),
  };
  fs.writeFileSync(path.join(outputs[''], 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  console.log(`compiled ${written.join(', ')} with solc ${solc.version()}; source hash ${manifest.sourceHash}`);
}

main();
