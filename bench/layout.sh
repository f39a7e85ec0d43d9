# Where `lakec build -o OUT` puts a stage's files, for the bench scripts
# (sourced, not run). The one place that knows the output layout: when it
# changes, change the line in stage_files.
#
# stage_files OUT PROJECT STAGE sets $template and $manifest, the paths of
# that stage's template and asset manifest.
stage_files() {
  template=$1/$3/template.json manifest=$1/$3/assets.json
}
