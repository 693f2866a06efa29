# Writes a C header holding the built-in mail templates (etc/templates/),
# so that the binaries, the demo and the tests need no installed files.
#   cmake -DDIR=etc/templates -DOUT=feeds/templates_builtin.h -P embed_templates.cmake
# Each file becomes a byte array (no quoting rules to get wrong) ending in
# a NUL, listed by file name in builtin_templates[].
file(GLOB files RELATIVE "${DIR}" "${DIR}/*.subject" "${DIR}/*.txt"
	"${DIR}/*.html")
list(SORT files)
set(arrays "")
set(table "")
set(i 0)
foreach(name ${files})
	file(READ "${DIR}/${name}" hex HEX)
	string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
	string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n\t" bytes "${bytes}")
	string(APPEND arrays "static const char builtin_template_${i}[] = {\n\t${bytes}0x00};\n")
	string(APPEND table "\t{\"${name}\", builtin_template_${i}},\n")
	math(EXPR i "${i} + 1")
endforeach()
set(text "/* Generated from etc/templates/ by cmake/embed_templates.cmake. */\n")
string(APPEND text "struct builtin_template {\n\tconst char *file, *text;\n};\n")
string(APPEND text "${arrays}")
string(APPEND text "static const struct builtin_template builtin_templates[] = {\n${table}};\n")
file(WRITE "${OUT}" "${text}")
