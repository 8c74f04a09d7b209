// kiln: build, run and inspect inference plans.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <new>

#include "commands.h"
#include "kiln/kiln.h"

namespace {

// Every failure is one line on stderr, "kiln: <what went wrong>", so scripts and users read the same message.
int refuse(const std::string& message) {
  std::string line = message;
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  std::cerr << "kiln: " << line << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kiln — inference optimizer and runtime for networks with dynamic shapes"};
  app.set_version_flag("--version", std::string("kiln ") + kiln::kilnVersion());
  app.require_subcommand(1);
  kiln::cli::addBuildCommand(app);
  kiln::cli::addRunCommand(app);
  kiln::cli::addInspectCommand(app);
  kiln::cli::addRefitCommand(app);
  int exitCode = 0;  // a command's result that is not an error (compare's mismatch)
  kiln::cli::addCompareCommand(app, exitCode);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {  // a wrong argument: CLI11's message names the option
    auto chosen = app.get_subcommands();
    return refuse(std::string(e.what()) + " (see kiln " + (chosen.empty() ? "" : chosen[0]->get_name() + " ") +
                  "--help)");
  } catch (const kiln::Error& e) {
    return refuse(e.what());
  } catch (const std::bad_alloc&) {
    return refuse("out of host memory");
  } catch (const std::exception& e) {  // a library error the command does not turn into a kiln::Error itself
    return refuse(e.what());
  }
  return exitCode;
}
