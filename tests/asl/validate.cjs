// Every AWS::StepFunctions::StateMachine definition of the golden templates,
// validated with asl-validator (an Amazon States Language validator written
// apart from lakec). A definition is Fn::Sub text: its ${...} placeholders
// are replaced with plausible values first (a function's ARN, a topic's ARN,
// the partition ...), as CloudFormation would.
// usage: node validate.cjs FILE.template.json... | --self-test
"use strict";
const fs = require("fs");
const validator = require("asl-validator");

const ACCOUNT = "123456789012";
const REGION = "us-east-1";

// The value CloudFormation would give ${name} in this template.
function substitute(name, resources) {
  if (name.startsWith("!")) return "${" + name.slice(1) + "}";
  const pseudo = { "AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT,
                   "AWS::URLSuffix": "amazonaws.com" };
  if (name in pseudo) return pseudo[name];
  const [id, attr] = name.split(".");
  const type = (resources[id] || {}).Type;
  if (type === "AWS::Lambda::Function" && attr === "Arn")
    return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
  if (type === "AWS::SNS::Topic" && !attr) return `arn:aws:sns:${REGION}:${ACCOUNT}:${id}`;
  throw new Error(`no plausible value for \${${name}} (${type || "not a resource of the template"})`);
}

function definitions(path) {
  const template = JSON.parse(fs.readFileSync(path, "utf8"));
  const resources = template.Resources || {};
  const out = [];
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== "AWS::StepFunctions::StateMachine") continue;
    const sub = r.Properties.DefinitionString["Fn::Sub"];
    if (typeof sub !== "string") throw new Error(`${path}: ${id}: DefinitionString is not Fn::Sub text`);
    const text = sub.replace(/\$\{([^}]*)\}/g, (_, name) => substitute(name, resources));
    out.push({ where: `${path}: ${id}`, definition: JSON.parse(text) });
  }
  return out;
}

function check(where, definition) {
  const { isValid, errors } = validator(definition, { checkPaths: true, checkArn: true });
  if (!isValid) console.log(`FAIL: ${where}:\n` + JSON.stringify(errors, null, 2));
  return isValid;
}

// The validator must refuse what is wrong: a Next to no state, a Task
// without a Resource.
function selfTest() {
  const bad = [
    { StartAt: "A", States: { A: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Next: "B" } } },
    { StartAt: "A", States: { A: { Type: "Task", End: true } } },
  ];
  let ok = true;
  for (const d of bad) {
    if (validator(d).isValid) {
      console.log("FAIL: asl-validator accepts " + JSON.stringify(d));
      ok = false;
    }
  }
  return ok;
}

const files = process.argv.slice(2);
let ok = selfTest(), count = 0;
for (const f of files)
  for (const { where, definition } of definitions(f)) {
    count++;
    ok = check(where, definition) && ok;
  }
if (count === 0 && files.length) {
  console.log("FAIL: no state machine in the templates given");
  ok = false;
}
if (ok) console.log(`asl-validator: ${count} state machine definitions valid`);
process.exit(ok ? 0 : 1);
