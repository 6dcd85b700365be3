import Foundation
import Testing
@testable import CACore

@Suite struct ExpiryNotificationScheduleTests {
    let schedule = ExpiryNotificationSchedule(days: [14, 7, 3, 1])
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: [
        // A first run: the nearest threshold that applies, or none.
        (20, nil, nil), (15, nil, nil), (14, nil, 14), (10, nil, 14), (7, nil, 7), (5, nil, 7), (2, nil, 3), (1, nil, 1),
        // Repeated runs: nothing until the next threshold is reached.
        (14, 14, nil), (10, 14, nil), (8, 14, nil), (7, 14, 7), (7, 7, nil), (4, 7, nil), (3, 7, 3), (1, 3, 1), (1, 1, nil),
        // Missed runs: one mail for the nearest threshold, never one per threshold passed.
        (2, 14, 3), (1, 14, 1), (1, nil, 1), (6, nil, 7),
    ] as [(Int, Int?, Int?)])
    func dueThreshold(daysLeft: Int, lowestNotified: Int?, expected: Int?) {
        #expect(schedule.dueThreshold(daysLeft: daysLeft, lowestNotified: lowestNotified) == expected)
    }

    @Test(arguments: [
        // CA_NOTIFICATION_DAYS changed after a mail for 7: a larger new threshold never mails again...
        ([10, 5], 6, 7, nil), ([30], 20, 14, nil), ([10, 7], 8, 7, nil),
        // ...a smaller one does once it applies, and a new schedule starts where nothing was sent.
        ([10, 5], 5, 7, 5), ([10, 5], 9, nil, 10), ([7], 10, nil, nil), ([2], 2, 14, 2),
    ] as [([Int], Int, Int?, Int?)])
    func changedThresholds(days: [Int], daysLeft: Int, lowestNotified: Int?, expected: Int?) {
        let changed = ExpiryNotificationSchedule(days: days)
        #expect(changed.dueThreshold(daysLeft: daysLeft, lowestNotified: lowestNotified) == expected)
    }

    @Test(arguments: [
        (7 * 86_400.0, 7), (6 * 86_400.0 + 1, 7), (6 * 86_400.0, 6), (86_400.0, 1), (1.0, 1), (0.0, nil), (-60.0, nil),
    ] as [(Double, Int?)])
    func daysLeftRoundUpSoThatAtMostNDaysIsAComparison(seconds: Double, expected: Int?) {
        #expect(ExpiryNotificationSchedule.daysLeft(until: now.addingTimeInterval(seconds), now: now) == expected)
    }

    @Test func thresholdsAreDistinctPositiveAndAscending() {
        #expect(ExpiryNotificationSchedule(days: [3, 14, 7, 7, 0, -1]).thresholds == [3, 7, 14])
        #expect(schedule.horizon(now: now) == now.addingTimeInterval(14 * 86_400))
        #expect(ExpiryNotificationSchedule(days: []).horizon(now: now) == nil)
    }

    @Test func expiredCertificatesAreNeverDue() {
        #expect(schedule.due(notAfter: now, now: now, lowestNotified: nil) == nil)
        #expect(schedule.due(notAfter: now.addingTimeInterval(-86_400), now: now, lowestNotified: nil) == nil)
    }

    /// Runs at the given days before expiry, remembering what was sent as the store does.
    func simulate(runsAt secondsLeft: [Double]) -> [Int] {
        let notAfter = now.addingTimeInterval(30 * 86_400)
        var sent: [Int] = []
        for remaining in secondsLeft {
            let runTime = notAfter.addingTimeInterval(-remaining)
            if let notice = schedule.due(notAfter: notAfter, now: runTime, lowestNotified: sent.min()) {
                sent.append(notice.threshold)
            }
        }
        return sent
    }

    @Test func hourlyRunsMailEachThresholdOnce() {
        let hourly = stride(from: 20 * 86_400.0, to: -86_400, by: -3_600).map { $0 }
        #expect(simulate(runsAt: hourly) == [14, 7, 3, 1])
    }

    @Test func runsDaysApartMailOnlyTheNearestThreshold() {
        #expect(simulate(runsAt: [20 * 86_400, 9 * 86_400, 2 * 86_400, 0.5 * 86_400]) == [14, 3, 1])
        #expect(simulate(runsAt: [2.5 * 86_400]) == [3])
    }
}
