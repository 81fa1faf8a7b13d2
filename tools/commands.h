// The subcommands of the gpusim tool. Each takes argv starting at the command's own name.
#pragma once

namespace gpusim::cli {

int gpusim_cmd_list(int argc, char** argv);
int gpusim_cmd_run(int argc, char** argv);
int gpusim_cmd_ptx(int argc, char** argv);
int gpusim_cmd_info(int argc, char** argv);
int gpusim_cmd_train(int argc, char** argv);
int gpusim_cmd_ubench(int argc, char** argv);
int gpusim_cmd_l2_fanin(int argc, char** argv);
int gpusim_cmd_compare(int argc, char** argv);
int gpusim_cmd_exec(int argc, char** argv);
int gpusim_cmd_launch(int argc, char** argv);
int gpusim_cmd_roofline(int argc, char** argv);
int gpusim_cmd_sweep(int argc, char** argv);
int gpusim_cmd_report(int argc, char** argv);
int gpusim_cmd_step(int argc, char** argv);

}  // namespace gpusim::cli
