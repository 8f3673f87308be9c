// Plateau or leak.

#include "stats/shape.h"

#include <gtest/gtest.h>

#include "synthetic.h"

namespace leakcheck::stats {
namespace {

TEST(ClassifyShape, APoolFillingUpIsAPlateau) {
  auto r = classify_shape(testing::pool_series());
  EXPECT_EQ(r.shape, Shape::plateau) << r.reason;
  ASSERT_TRUE(r.whole && r.tail);
  EXPECT_TRUE(monotonic_rise(*r.whole));
  // Most pairs are flat-flat: the slope of the whole window is exactly 0.
  EXPECT_EQ(r.whole->growth_per_min(), 0.0);
  EXPECT_FALSE(significant_growth(*r.tail));
  EXPECT_NE(r.reason.find("levelled off"), std::string::npos);
}

TEST(ClassifyShape, APoolWithJitterIsStillAPlateau) {
  auto r = classify_shape(testing::with_jitter(testing::pool_series(), 5));
  EXPECT_EQ(r.shape, Shape::plateau) << r.reason;
}

TEST(ClassifyShape, TheAnalysisLeakIsGrowing) {
  auto r = classify_shape(testing::with_jitter(testing::leak_series(), 9));
  EXPECT_EQ(r.shape, Shape::growing) << r.reason;
  ASSERT_TRUE(r.whole && r.tail);
  EXPECT_NEAR(r.whole->growth_per_min(), 17, 0.2);
  EXPECT_NEAR(r.tail->growth_per_min(), 17, 0.5);
}

TEST(ClassifyShape, GrowthThatBeginsLateIsGrowing) {
  // Flat for 25 minutes, then 17/min for the last 5.
  auto s = testing::sampled(30 * 60, 1, [](double t) { return 100 + std::max(0.0, std::floor((t - 1500) * 17 / 60)); });
  auto r = classify_shape(s);
  EXPECT_EQ(r.shape, Shape::growing) << r.reason;
}

TEST(ClassifyShape, OneLateStepIsNotALeak) {
  // One more fd for good at minute 27 of 30 (a log file opened lazily):
  // the last third rises, but most of its pairs have slope 0.
  auto s = testing::sampled(30 * 60, 1, [](double t) { return t < 27 * 60 ? 100.0 : 101.0; });
  auto r = classify_shape(s);
  EXPECT_EQ(r.shape, Shape::plateau) << r.reason;
}

TEST(ClassifyShape, FlatShrinkingAndTooShort) {
  EXPECT_EQ(classify_shape(testing::sampled(600, 1, [](double) { return 40; })).shape, Shape::flat);
  auto noise = testing::with_noise(testing::sampled(600, 1, [](double) { return 40; }), 2, 1);
  EXPECT_EQ(classify_shape(noise).shape, Shape::flat) << classify_shape(noise).reason;
  EXPECT_EQ(classify_shape(testing::sampled(600, 1, [](double t) { return 500 - t / 6; })).shape, Shape::shrinking);

  auto short_series = classify_shape(testing::sampled(10, 1, [](double t) { return t; }));
  EXPECT_EQ(short_series.shape, Shape::insufficient_data);
  EXPECT_TRUE(short_series.whole.has_value());
  auto one = classify_shape(std::vector<Sample>{{0, 1}});
  EXPECT_EQ(one.shape, Shape::insufficient_data);
  EXPECT_FALSE(one.whole.has_value());
  EXPECT_EQ(shape_name(Shape::plateau), "plateau");
}

}  // namespace
}  // namespace leakcheck::stats
