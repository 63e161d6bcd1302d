/** The two shapes every pool rule uses: a setting missing (fix: add it) and a setting to change. */
import { addSettingEdit, replaceValueEdit, type CallArguments, type Setting, type SettingValue } from '../call-arguments';
import { rangeOf, type CodeFinding, type CodeSeverity } from '../findings';
import type { Node } from '../syntax';

export function missingSetting(
  args: CallArguments,
  code: string,
  severity: CodeSeverity,
  message: string,
  name: string,
  value: string,
): CodeFinding {
  const callee = args.call.childForFieldName('function') ?? args.call.childForFieldName('constructor') ?? args.call;
  return {
    code,
    severity,
    message,
    range: rangeOf(callee),
    fixes: [
      { title: `Add ${args.style === 'python' ? `${name}=${value}` : `${name}: ${value}`}`, edits: [addSettingEdit(args, name, value)] },
    ],
  };
}

export function wrongSetting(setting: Setting, code: string, severity: CodeSeverity, message: string, value?: string): CodeFinding {
  return {
    code,
    severity,
    message,
    range: rangeOf(setting.node),
    fixes: value === undefined ? [] : [{ title: `Set ${setting.name} to ${value}`, edits: [replaceValueEdit(setting, value)] }],
  };
}

/** Change a setting if present, else add it. */
export function setSettingFix(args: CallArguments, name: string, value: string) {
  const setting = args.settings.get(name);
  return setting ? replaceValueEdit(setting, value) : addSettingEdit(args, name, value);
}

/** A value only known at run time (`pool_size=settings.POOL`): say what could not be checked instead of guessing. */
export function unknownValue(name: string, value: SettingValue, check: string, node: Node): CodeFinding {
  return {
    code: 'pool-setting-unknown',
    severity: 'info',
    message: `${name} is ${value.text}, known only at run time, so it could not be ${check}; make sure the value it takes there fits.`,
    range: rangeOf(node),
    fixes: [],
  };
}
