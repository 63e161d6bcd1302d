/** The Django models of the sample applications, indexed the way the CLI and the editor do it. */
import { readFileSync } from 'node:fs';
import { DjangoModelIndex } from '../../src/core/code/django-models';
import { checkCode } from '../../src/core/code/lint';
import { languageOfPath, type CodeParsers } from '../../src/core/code/syntax';
import { appFiles } from './code-apps';

export function indexedDjangoModels(parsers: CodeParsers, files = appFiles()): DjangoModelIndex {
  const index = new DjangoModelIndex();
  for (const file of files) {
    const result = checkCode(parsers, file, languageOfPath(file)!, readFileSync(file, 'utf8'), 'models');
    if (result.parsed) index.update(file, result.djangoModels);
  }
  return index;
}
