# Where `lakec build -o OUT` puts a stage's files, for the bench scripts
# (sourced, not run). The one place that knows the output layout
# (README: "Output layout and the manifest").
#
# stage_files OUT PROJECT STAGE sets $template and $manifest, the paths of
# that stage's template (its default, single stack: PROJECT-STAGE) and its
# manifest.
stage_files() {
  template=$1/$2/$3/$2-$3.template.json manifest=$1/$2/$3/manifest.json
}
