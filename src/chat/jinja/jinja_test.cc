#include <gtest/gtest.h>
#include "chat/jinja/template.h"
namespace dsinfer::jinja {
TEST(Smoke, Renders) {
  auto t = Template::Parse("{% for x in [1,2] %}{{ x }}{% endfor %}");
  ASSERT_TRUE(t.ok()) << t.status().message();
  auto r = t->Render({});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, "12");
}
}
