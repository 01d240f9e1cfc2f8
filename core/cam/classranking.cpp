#include "core/cam/classranking.h"

#include <algorithm>
#include <string>

#include <torch/torch.h>

#include "core/errors.h"

namespace gce {

ClassRanking::ClassRanking(const torch::Tensor& logits)
    : m_logits(logits.detach()), m_probabilities(torch::softmax(m_logits, 0))
{
}

void ClassRanking::checkClass(int classIndex) const
{
    if (classIndex < 0 || classIndex >= classCount())
        throw UsageError("class " + std::to_string(classIndex) + " is out of range (0.." +
                         std::to_string(classCount() - 1) + ")");
}

ClassScore ClassRanking::score(int classIndex) const
{
    checkClass(classIndex);
    return {classIndex, m_probabilities[classIndex].item<float>(), m_logits[classIndex].item<float>()};
}

std::vector<ClassScore> ClassRanking::topK(int k) const
{
    k = std::clamp(k, 1, classCount());
    const auto indices = std::get<1>(m_probabilities.topk(k));
    std::vector<ClassScore> scores;
    for (int i = 0; i < k; ++i)
        scores.push_back(score(static_cast<int>(indices[i].item<int64_t>())));
    return scores;
}

int ClassRanking::rankOf(int classIndex) const
{
    checkClass(classIndex);
    // Ties resolved by index, like a stable sort of the scores.
    const auto above = (m_logits > m_logits[classIndex]).sum().item<int64_t>();
    const auto tiedBefore = (m_logits.slice(0, 0, classIndex) == m_logits[classIndex]).sum().item<int64_t>();
    return static_cast<int>(above + tiedBefore + 1);
}

} // namespace gce
