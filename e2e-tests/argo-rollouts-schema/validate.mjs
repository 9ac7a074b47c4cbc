// Checks Argo Rollouts objects (a JSON array in the file named by the first argument) against Argo
// Rollouts' own schema, offline, as @kubernetes-models/argo-rollouts carries it (generated from
// the project's CRDs):
//   1. its JSON-schema validators: types, required fields, enums, formats;
//   2. its TypeScript interfaces, through tsc: a field the schema does not know is an error too
//      (the API server would drop it, or refuse it under strict field validation).
// Prints one line per problem; exit 1 when there is any.
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { Rollout } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout";
import { AnalysisTemplate } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate";
import { AnalysisRun } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisRun";

const MODELS = { Rollout, AnalysisTemplate, AnalysisRun };
const objects = JSON.parse(readFileSync(process.argv[2], "utf8"));
const problems = [];
const id = (o, i) => `${o.kind} ${o.metadata?.name ?? o.metadata?.generateName ?? "#" + i}`;

objects.forEach((object, i) => {
  const Model = MODELS[object.kind];
  if (!Model || object.apiVersion !== "argoproj.io/v1alpha1") {
    problems.push(`${id(object, i)}: not an argoproj.io/v1alpha1 Rollout, AnalysisTemplate or AnalysisRun`);
    return;
  }
  try {
    new Model(object).validate();
  } catch (e) {
    problems.push(`${id(object, i)}: ${e.message}`);
  }
});

// Each object as a typed constant: tsc reports unknown fields ("Object literal may only specify
// known properties"), wrong types and missing required fields, with their line.
const work = mkdtempSync(join(tmpdir(), "argo-schema-"));
const here = new URL(".", import.meta.url).pathname;
const source = [
  ...Object.keys(MODELS).map(k => `import type { I${k} } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/${k}";`),
  ...objects.map((o, i) => `// ${id(o, i)}\nexport const o${i}: I${o.kind} = ${JSON.stringify(o, null, 1)};`),
].join("\n");
writeFileSync(join(work, "objects.ts"), source);
writeFileSync(join(work, "tsconfig.json"), JSON.stringify({
  compilerOptions: {
    strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022",
    skipLibCheck: true, typeRoots: [], baseUrl: here, paths: { "*": [join(here, "node_modules/*")] },
  },
  files: [join(work, "objects.ts")],
}));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
try {
  execFileSync(process.execPath, [tsc, "-p", join(work, "tsconfig.json")], { encoding: "utf8", stdio: "pipe" });
} catch (e) {
  const lines = source.split("\n");
  for (const line of `${e.stdout}${e.stderr}`.split("\n").filter(l => l.includes("error TS"))) {
    // objects.ts(LINE,COL): error ...: name the object the line belongs to.
    const at = Number(/\((\d+),\d+\)/.exec(line)?.[1] ?? 0);
    const owner = lines.slice(0, at).reverse().find(l => l.startsWith("// ")) ?? "";
    problems.push(`${owner.slice(3)}: ${line.replace(/^.*?error /, "")}`);
  }
}

for (const problem of problems) console.log(problem);
console.log(`${objects.length} objects checked, ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
