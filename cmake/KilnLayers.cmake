# kiln's layers, each a CMake object library whose USES list states which layers it may build on.
#
# The build holds the layering: a layer compiles against an include view, a folder of links to its own sources'
# folders, those of the layers it uses (transitively) and the public headers they may include, and nothing else.
# A header of a layer it does not use is not on its include path, so including one fails to compile.
#
# kiln_layer(<name> [DIRS <dirs under src/>...] [SOURCES <files under src/>...] [HEADERS <files under src/>...]
#            [USES <layers>...] [LINKS <layers>...] [PUBLIC_HEADERS <headers of include/kiln>...] [EXCLUDE <files under src/>...]
#            [LIBRARIES <external libraries>...] [UNBUILT])
#   DIRS:           folders whose *.cpp (and *.cu, where CUDA is on) are the layer's sources and whose headers it owns
#   SOURCES/HEADERS: single files, for a layer that owns part of a folder
#   LINKS:          layers it calls through declarations of its own without seeing their headers, so that its users
#                   do not see them either (the backend registry creates the CPU and CUDA backends)
#   PUBLIC_HEADERS: the public headers (include/kiln) that this layer implements or may include
#   LIBRARIES:      the external libraries its sources call (they reach the library that links the layer)
#   UNBUILT:        the layer is declared (its view and its place in the graph, which stay the same in every
#                   configuration) but not compiled: the CUDA backend of a build without CUDA
#
# kiln_layers_mermaid(<out-var>) gives the layers and their direct uses as Mermaid text, for docs/architecture.md.

set(KILN_LAYER_VIEWS ${CMAKE_BINARY_DIR}/layer_views)
set_property(GLOBAL PROPERTY KILN_LAYERS "")

function(_kiln_view_link view relative target)
  get_filename_component(parent "${view}/${relative}" DIRECTORY)
  file(MAKE_DIRECTORY "${parent}")
  if(NOT EXISTS "${view}/${relative}" AND NOT IS_SYMLINK "${view}/${relative}")
    file(CREATE_LINK "${target}" "${view}/${relative}" SYMBOLIC)
  endif()
endfunction()

function(kiln_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 L "UNBUILT" "" "DIRS;SOURCES;HEADERS;USES;LINKS;PUBLIC_HEADERS;EXCLUDE;LIBRARIES")
  set(src ${PROJECT_SOURCE_DIR}/src)
  set(sources)
  foreach(dir IN LISTS L_DIRS)
    set(patterns ${src}/${dir}/*.cpp)
    if(KILN_HAVE_CUDA)
      list(APPEND patterns ${src}/${dir}/*.cu)
    endif()
    file(GLOB found CONFIGURE_DEPENDS ${patterns})
    list(APPEND sources ${found})
  endforeach()
  foreach(file IN LISTS L_SOURCES)
    list(APPEND sources ${src}/${file})
  endforeach()
  foreach(file IN LISTS L_EXCLUDE)
    list(REMOVE_ITEM sources ${src}/${file})
  endforeach()

  # What this layer may see: its own folders and files, and everything the layers it uses may see.
  set(own_paths ${L_DIRS} ${L_HEADERS})
  set(visible_paths ${own_paths})
  set(visible_public ${L_PUBLIC_HEADERS})
  foreach(used IN LISTS L_USES)
    get_property(defined GLOBAL PROPERTY KILN_LAYER_${used}_DEFINED)
    if(NOT defined)
      message(FATAL_ERROR "kiln layer '${name}' uses '${used}', which is not a layer defined before it")
    endif()
    get_property(paths GLOBAL PROPERTY KILN_LAYER_${used}_VISIBLE_PATHS)
    get_property(public GLOBAL PROPERTY KILN_LAYER_${used}_VISIBLE_PUBLIC)
    list(APPEND visible_paths ${paths})
    list(APPEND visible_public ${public})
  endforeach()
  list(REMOVE_DUPLICATES visible_paths)
  list(SORT visible_paths)  # a folder before the folders inside it, so its link covers them
  list(REMOVE_DUPLICATES visible_public)
  set_property(GLOBAL PROPERTY KILN_LAYER_${name}_VISIBLE_PATHS ${visible_paths})
  set_property(GLOBAL PROPERTY KILN_LAYER_${name}_VISIBLE_PUBLIC ${visible_public})
  set_property(GLOBAL PROPERTY KILN_LAYER_${name}_USES ${L_USES})
  set_property(GLOBAL PROPERTY KILN_LAYER_${name}_LINKS ${L_LINKS})
  set_property(GLOBAL APPEND PROPERTY KILN_LAYERS ${name})
  set_property(GLOBAL PROPERTY KILN_LAYER_${name}_DEFINED TRUE)

  set(view ${KILN_LAYER_VIEWS}/${name})
  file(REMOVE_RECURSE ${view})
  file(MAKE_DIRECTORY ${view})
  foreach(path IN LISTS visible_paths)
    _kiln_view_link(${view} ${path} ${src}/${path})
  endforeach()
  foreach(header IN LISTS visible_public)
    _kiln_view_link(${view} kiln/${header} ${PROJECT_SOURCE_DIR}/include/kiln/${header})
  endforeach()
  set_property(GLOBAL PROPERTY KILN_LAYER_${name}_VIEW ${view})
  if(L_UNBUILT)
    return()
  endif()

  add_library(kiln_layer_${name} OBJECT ${sources})
  target_include_directories(kiln_layer_${name} PRIVATE ${view})
  target_link_libraries(kiln_layer_${name} PUBLIC ${L_LIBRARIES})
endfunction()

# The layers and their direct uses as a Mermaid flowchart, lower layers first; a dotted arrow links without seeing.
function(kiln_layers_mermaid out)
  get_property(layers GLOBAL PROPERTY KILN_LAYERS)
  set(text "flowchart BT\n")
  foreach(layer IN LISTS layers)
    get_property(uses GLOBAL PROPERTY KILN_LAYER_${layer}_USES)
    if(NOT uses)
      string(APPEND text "  ${layer}\n")
    endif()
    foreach(used IN LISTS uses)
      string(APPEND text "  ${layer} --> ${used}\n")
    endforeach()
    get_property(links GLOBAL PROPERTY KILN_LAYER_${layer}_LINKS)
    foreach(linked IN LISTS links)
      string(APPEND text "  ${layer} -.-> ${linked}\n")
    endforeach()
  endforeach()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()
