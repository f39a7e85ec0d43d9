/* hello: a Lambda handler of one's own on lakec's runtime. It answers
 * {"greeting": "hello, NAME"} for an event {"name": NAME}; an event without
 * one is an InvalidEvent error. The AwsClient the handler receives signs
 * calls as the function's role (lakec/aws.h, lakec/s3.h). */
#include <lakec/runtime.h>

#include <stdlib.h>

static json_t *hello(AwsClient *aws, const Invocation *inv, HandlerError *err) {
  (void)aws;
  const char *name = json_string_value(json_object_get(inv->event, "name"));
  if (!name)
    return handler_fail(err, "InvalidEvent", "the event has no string 'name'");
  char *greeting = handler_strf("hello, %s", name);
  json_t *response = json_pack("{s:s}", "greeting", greeting);
  free(greeting);
  return response;
}

int main(int argc, char **argv) {
  return runtime_main(argc, argv, "hello", hello);
}
