// `aks-compliance report`: placeholder until its module is in place.
import type { CommandRunner } from '../io';

export const run: CommandRunner = async (_args, io) => {
  io.stderr('aks-compliance: the "report" command needs its module, which is not part of this build yet\n');
  return 2;
};
