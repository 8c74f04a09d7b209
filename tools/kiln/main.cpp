// kiln: build, run and inspect inference plans.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <new>

#include "commands.h"
#include "kiln/kiln.h"

int main(int argc, char** argv) {
  CLI::App app{"kiln — inference optimizer and runtime for networks with dynamic shapes"};
  app.set_version_flag("--version", std::string("kiln ") + kiln::kilnVersion());
  app.require_subcommand(1);
  kiln::cli::addBuildCommand(app);
  kiln::cli::addRunCommand(app);
  kiln::cli::addInspectCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version print as CLI11 prints them; a wrong argument is one line, as every other error.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    std::cerr << "kiln: " << e.what() << " (kiln --help lists the arguments)\n";
    return e.get_exit_code();
  } catch (const kiln::Error& e) {
    std::cerr << "kiln: " << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {  // e.g. inputs allocated for shapes too large for this machine
    std::cerr << "kiln: out of host memory\n";
    return 1;
  } catch (const std::exception& e) {  // file system and stream errors of the standard library, among others
    std::cerr << "kiln: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
