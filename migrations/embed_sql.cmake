# Writes OUTPUT, a C++ file defining the table declared in migrations.h from
# the SQL files in FILES (paths relative to SOURCE_DIR become their names).
set(body "// Generated from migrations/*.sql. Do not edit.\n")
string(APPEND body "#include \"migrations/migrations.h\"\n\n")
string(APPEND body "namespace mlmdx::migrations {\n\n")
string(APPEND body "const std::vector<SqlFile>& AllSqlFiles() {\n")
string(APPEND body "  static const auto* const kFiles = new std::vector<SqlFile>{\n")
foreach(file IN LISTS FILES)
  file(RELATIVE_PATH name ${SOURCE_DIR} ${file})
  file(READ ${file} content)
  string(APPEND body "      {\"${name}\", R\"mlmdx_sql(${content})mlmdx_sql\"},\n")
endforeach()
string(APPEND body "  };\n  return *kFiles;\n}\n\n}  // namespace mlmdx::migrations\n")
file(WRITE ${OUTPUT} "${body}")
