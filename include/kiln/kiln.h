// Everything a kiln user needs.
#pragma once

#include "kiln/builder.h"
#include "kiln/error.h"
#include "kiln/layers.h"
#include "kiln/logger.h"
#include "kiln/network.h"
#include "kiln/runtime.h"
#include "kiln/types.h"
#include "kiln/version.h"
