// Criteria on a series: the verdict's model.

#include "stats/criteria.h"

#include <gtest/gtest.h>

#include <limits>

#include "synthetic.h"

namespace leakcheck::stats {
namespace {

constexpr double never = std::numeric_limits<double>::infinity();

TEST(Criteria, TheAnalysisLeakFailsGrowthPerMin) {
  auto r = evaluate_criterion(testing::with_jitter(testing::leak_series(), 9), Statistic::growth_per_min,
                              {Op::lt, 5});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(r->passed);
  EXPECT_NEAR(r->value, 17, 0.2);
  ASSERT_TRUE(r->ci_low && r->ci_high && r->p_value);
  EXPECT_LE(*r->ci_low, 17);
  EXPECT_GE(*r->ci_high, 17);
  EXPECT_LT(*r->p_value, 1e-10);
  EXPECT_EQ(r->shape, Shape::growing);
  EXPECT_EQ(r->statistic, Statistic::growth_per_min);
  EXPECT_EQ(r->bound.value, 5);
  EXPECT_NE(r->detail.find("growing"), std::string::npos) << r->detail;
}

TEST(Criteria, APoolFillingUpPassesAndSaysPlateau) {
  auto r = evaluate_criterion(testing::pool_series(), Statistic::growth_per_min, {Op::lt, 5});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->passed);
  EXPECT_EQ(r->value, 0);
  EXPECT_EQ(r->shape, Shape::plateau);
  EXPECT_NE(r->detail.find("plateau"), std::string::npos) << r->detail;
}

TEST(Criteria, ConservativeJudgesTheWholeInterval) {
  // 4 fds/min over 5 minutes under heavy noise: the estimate is under 5, the
  // interval is not.
  auto s = testing::with_noise(testing::sampled(300, 1, [](double t) { return 200 + 4 * t / 60; }), 25, 21);
  auto point = evaluate_criterion(s, Statistic::growth_per_min, {Op::lt, 5});
  ASSERT_TRUE(point.ok());
  ASSERT_LT(point->value, 5);
  ASSERT_GT(*point->ci_high, 5);
  EXPECT_TRUE(point->passed);
  CriterionOptions strict;
  strict.conservative = true;
  auto conservative = evaluate_criterion(s, Statistic::growth_per_min, {Op::lt, 5}, strict);
  ASSERT_TRUE(conservative.ok());
  EXPECT_EQ(conservative->value, point->value);
  EXPECT_FALSE(conservative->passed);
  // gt judges the lower end.
  EXPECT_TRUE(evaluate_criterion(s, Statistic::growth_per_min, {Op::gt, *point->ci_low - 1}, strict)->passed);
  EXPECT_FALSE(evaluate_criterion(s, Statistic::growth_per_min, {Op::gt, *point->ci_low + 0.01}, strict)->passed);
}

TEST(Criteria, ProjectedHoursForTheLeak) {
  CriterionOptions o;
  o.limit = 1024;
  auto r = evaluate_criterion(testing::leak_series(), Statistic::projected_hours_to_exhaustion, {Op::gt, 7 * 24}, o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(r->passed);
  EXPECT_NEAR(r->value * 60, 20, 0.2);
  ASSERT_TRUE(r->ci_low && r->ci_high);
  EXPECT_LE(*r->ci_low, r->value);  // the faster end of the slope's interval
  EXPECT_GE(*r->ci_high, r->value);
}

TEST(Criteria, ProjectedHoursForAPlateauIsNever) {
  CriterionOptions o;
  o.limit = 1024;
  auto r = evaluate_criterion(testing::with_jitter(testing::pool_series(), 5),
                              Statistic::projected_hours_to_exhaustion, {Op::gt, 7 * 24}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->shape, Shape::plateau);
  EXPECT_EQ(r->value, never) << r->detail;
  EXPECT_TRUE(r->passed);
  EXPECT_NE(r->detail.find("last part"), std::string::npos) << r->detail;
}

TEST(Criteria, ProjectedHoursNeedsALimit) {
  auto r = evaluate_criterion(testing::leak_series(), Statistic::projected_hours_to_exhaustion, {Op::gt, 168});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("limit"), std::string::npos);
}

TEST(Criteria, SummaryFigures) {
  // CLOSE_WAIT sockets: 0 1 2 3 4 3 2 1 0 ... ; max 4.
  auto s = testing::sampled(99, 1, [](double t) { return 4 - std::abs(static_cast<double>(static_cast<int>(t) % 8) - 4); });
  auto max = evaluate_criterion(s, Statistic::max, {Op::lt, 5});
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->value, 4);
  EXPECT_TRUE(max->passed);
  EXPECT_FALSE(max->ci_low.has_value());
  EXPECT_FALSE(max->p_value.has_value());
  EXPECT_FALSE(evaluate_criterion(s, Statistic::max, {Op::lt, 4})->passed);
  EXPECT_TRUE(evaluate_criterion(s, Statistic::max, {Op::le, 4})->passed);
  EXPECT_TRUE(evaluate_criterion(s, Statistic::min, {Op::eq, 0})->passed);
  EXPECT_EQ(evaluate_criterion(s, Statistic::last, {Op::eq, 0})->value, 3);  // t = 99: 99 % 8 = 3
  EXPECT_EQ(evaluate_criterion(s, Statistic::p99, {Op::lt, 5})->value, 4);
  EXPECT_DOUBLE_EQ(evaluate_criterion(s, Statistic::mean, {Op::lt, 5})->value, 1.98);  // 12 cycles of mean 2, then 0 1 2 3
}

TEST(Criteria, NoSamplesIsAnErrorNotAFailure) {
  EXPECT_FALSE(evaluate_criterion(std::vector<Sample>{}, Statistic::max, {Op::lt, 5}).ok());
  EXPECT_FALSE(evaluate_criterion(std::vector<Sample>{{1, 1}}, Statistic::growth_per_min, {Op::lt, 5}).ok());
}

TEST(Criteria, NamesRoundTrip) {
  for (Statistic s : {Statistic::growth_per_min, Statistic::max, Statistic::min, Statistic::mean, Statistic::last,
                      Statistic::p99, Statistic::projected_hours_to_exhaustion}) {
    EXPECT_EQ(parse_statistic(statistic_name(s)), s);
  }
  EXPECT_FALSE(parse_statistic("growth").has_value());
  EXPECT_EQ(op_symbol(Op::le), "<=");
  EXPECT_TRUE(satisfies(1, Op::ge, 1));
  EXPECT_FALSE(satisfies(1, Op::gt, 1));
}

}  // namespace
}  // namespace leakcheck::stats
