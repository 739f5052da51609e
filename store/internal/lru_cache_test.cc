#include "store/internal/lru_cache.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace mlmdx::store::internal {
namespace {

TEST(LruCacheTest, FindsWhatWasInserted) {
  LruCache<int> cache(4);
  EXPECT_FALSE(cache.Insert("a", 1).has_value());
  EXPECT_FALSE(cache.Insert("b", 2).has_value());
  ASSERT_NE(cache.Find("a"), nullptr);
  EXPECT_EQ(*cache.Find("a"), 1);
  EXPECT_EQ(*cache.Find("b"), 2);
  EXPECT_EQ(cache.Find("c"), nullptr);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(LruCacheTest, EvictsTheLeastRecentlyUsedAndHandsItBack) {
  LruCache<int> cache(3);
  cache.Insert("a", 1);
  cache.Insert("b", 2);
  cache.Insert("c", 3);
  // Using "a" makes "b" the oldest.
  ASSERT_NE(cache.Find("a"), nullptr);
  auto evicted = cache.Insert("d", 4);
  ASSERT_TRUE(evicted.has_value());
  EXPECT_EQ(evicted->first, "b");
  EXPECT_EQ(evicted->second, 2);
  EXPECT_EQ(cache.Find("b"), nullptr);
  EXPECT_EQ(cache.size(), 3u);
  evicted = cache.Insert("e", 5);
  ASSERT_TRUE(evicted.has_value());
  EXPECT_EQ(evicted->first, "c");
  ASSERT_NE(cache.Find("a"), nullptr);
  ASSERT_NE(cache.Find("d"), nullptr);
  ASSERT_NE(cache.Find("e"), nullptr);
}

TEST(LruCacheTest, StaysBoundedOverManyKeys) {
  LruCache<std::unique_ptr<int>> cache(16);
  int evictions = 0;
  for (int i = 0; i < 1000; ++i) {
    auto evicted =
        cache.Insert("key" + std::to_string(i), std::make_unique<int>(i));
    if (evicted.has_value()) {
      ++evictions;
      // Keys leave in the order they came, since none was used again.
      EXPECT_EQ(evicted->first, "key" + std::to_string(i - 16));
      ASSERT_NE(evicted->second, nullptr);
      EXPECT_EQ(*evicted->second, i - 16);
    }
    EXPECT_LE(cache.size(), 16u);
  }
  EXPECT_EQ(evictions, 1000 - 16);
  for (int i = 1000 - 16; i < 1000; ++i) {
    auto* value = cache.Find("key" + std::to_string(i));
    ASSERT_NE(value, nullptr) << i;
    EXPECT_EQ(**value, i);
  }
}

TEST(LruCacheTest, EraseAndClearForgetEntries) {
  LruCache<int> cache(2);
  cache.Insert("a", 1);
  cache.Insert("b", 2);
  auto erased = cache.Erase("a");
  ASSERT_TRUE(erased.has_value());
  EXPECT_EQ(*erased, 1);
  EXPECT_FALSE(cache.Erase("a").has_value());
  // The freed slot is used before anything is evicted.
  EXPECT_FALSE(cache.Insert("c", 3).has_value());
  EXPECT_EQ(*cache.Find("b"), 2);
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.Find("b"), nullptr);
  EXPECT_FALSE(cache.Insert("d", 4).has_value());
}

}  // namespace
}  // namespace mlmdx::store::internal
