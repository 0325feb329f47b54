/* cmd_synth.c: placeholder until `evtriage synth` lands (see its issue). */
#include "cli/cli.h"

int cmd_synth(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("synth: not implemented yet");
    return ET_EXIT_USAGE;
}
